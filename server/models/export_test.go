package models

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	_ "image/jpeg"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/xiuhua/xiuhua/internal/testdata"
	"github.com/xiuhua/xiuhua/server/blob"
	"github.com/xiuhua/xiuhua/server/store"
	"github.com/xiuhua/xiuhua/server/store/sqlite"
)

// exportCase is one report in the export test and the labels it must give.
type exportCase struct {
	event, camera, status string
	image                 string
	dets                  []store.Detection
	// frame is the report's frame size; the snapshot's real size may be
	// smaller (boxes scale with it).
	frameScale float32
}

func TestExportDataset(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "xiuhua.db"))
	require.NoError(t, err)
	defer st.Close()
	blobs, err := blob.NewFolder(filepath.Join(dir, "evidence"))
	require.NoError(t, err)

	umbrella := store.Detection{ClassName: "umbrella", Score: 0.9, X: 20, Y: 40, Width: 100, Height: 60}
	table := store.Detection{ClassName: "dining table", Score: 0.8, X: 200, Y: 100, Width: 50, Height: 50}
	reps := []exportCase{
		{"c1", "cam-1", "filed", "000000000139.jpg", []store.Detection{umbrella, table}, 1},
		{"c2", "cam-1", "closed", "000000000785.jpg", []store.Detection{umbrella}, 2},
		{"c3", "cam-2", "rejected", "000000001268.jpg", []store.Detection{umbrella}, 1},
		{"c4", "cam-2", "dispatched", "000000000139.jpg", []store.Detection{table}, 1},
		{"c5", "cam-3", "rejected", "000000000785.jpg", []store.Detection{table}, 1},
		{"c6", "cam-3", "pending_review", "000000000785.jpg", []store.Detection{table}, 1}, // nobody decided: not exported
		{"c7", "cam-4", "verified", "000000000139.jpg", []store.Detection{umbrella}, 1},
		{"c8", "cam-5", "handling", "000000001268.jpg", []store.Detection{table}, 1},
	}
	sizes := map[string]image.Config{}
	for _, c := range reps {
		data, err := os.ReadFile(testdata.Path(t, "images", c.image))
		require.NoError(t, err)
		cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
		require.NoError(t, err)
		sizes[c.event] = cfg
		ref, err := blob.Put(ctx, blobs, bytes.NewReader(data))
		require.NoError(t, err)
		r := &store.Report{EventID: c.event, DeviceID: "edge-01", CameraID: c.camera, ViolationType: "street_vending",
			ObservedAt: time.Now(), Detections: append([]store.Detection(nil), c.dets...),
			FrameWidth: int(float32(cfg.Width) * c.frameScale), FrameHeight: int(float32(cfg.Height) * c.frameScale),
			Evidence: []store.Evidence{{Name: "snapshot.jpg", Kind: store.KindSnapshot, ContentType: "image/jpeg", Size: ref.Size, SHA256: ref.SHA256}}}
		if c.frameScale != 1 {
			for i := range r.Detections {
				d := &r.Detections[i]
				d.X, d.Y, d.Width, d.Height = d.X*c.frameScale, d.Y*c.frameScale, d.Width*c.frameScale, d.Height*c.frameScale
			}
		}
		id, _, err := st.SaveReport(ctx, r, func(ctx context.Context, tx store.CaseTx, r *store.Report) (string, error) {
			return tx.OpenCase(ctx, store.NewCase{Status: "pending_review", ViolationType: r.ViolationType, DeviceID: r.DeviceID, CameraID: r.CameraID})
		})
		require.NoError(t, err)
		if c.status != "pending_review" {
			require.NoError(t, st.Transition(ctx, store.Transition{CaseID: id, Version: 1, From: "pending_review", To: c.status,
				Actor: "admin", Role: "admin", At: time.Now()}))
		}
	}
	// A confirmed report whose snapshot is gone is skipped, not fatal.
	_, _, err = st.SaveReport(ctx, &store.Report{EventID: "gone", DeviceID: "edge-01", CameraID: "cam-1", ViolationType: "x",
		ObservedAt: time.Now(), Evidence: []store.Evidence{{Name: "s.jpg", Kind: store.KindSnapshot, ContentType: "image/jpeg", Size: 1, SHA256: strings.Repeat("ab", 32)}}},
		func(ctx context.Context, tx store.CaseTx, r *store.Report) (string, error) {
			return tx.OpenCase(ctx, store.NewCase{Status: "filed", ViolationType: "x", DeviceID: "edge-01", CameraID: "cam-1"})
		})
	require.NoError(t, err)

	want := map[string]exportCase{}
	for _, c := range reps {
		if c.status != "pending_review" {
			want[c.event] = c
		}
	}
	classes := []string{"dining table", "umbrella"}

	for _, format := range []string{FormatYOLO, FormatCOCO} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			stats, err := ExportDataset(ctx, st, blobs, ExportOptions{Format: format}, &buf)
			require.NoError(t, err)
			require.Equal(t, 7, stats.Images)
			require.Equal(t, 2, stats.Negatives)
			require.Equal(t, 1, stats.Skipped)
			require.Equal(t, classes, stats.Classes)
			require.Len(t, stats.ValCameras, 1, "a fifth of five cameras")
			require.Len(t, stats.TrainCameras, 4)

			zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
			require.NoError(t, err)
			files := map[string][]byte{}
			for _, f := range zr.File {
				rc, err := f.Open()
				require.NoError(t, err)
				b, err := io.ReadAll(rc)
				require.NoError(t, err)
				rc.Close()
				files[f.Name] = b
			}
			var meta struct {
				Images []indexEntry `json:"images"`
			}
			require.NoError(t, json.Unmarshal(files["dataset.json"], &meta))
			require.Len(t, meta.Images, 7)
			splitOf := map[string]string{} // camera -> split
			byEvent := map[string]indexEntry{}
			for _, im := range meta.Images {
				if s, ok := splitOf[im.CameraID]; ok {
					require.Equal(t, s, im.Split, "camera %s is in both splits", im.CameraID)
				}
				splitOf[im.CameraID] = im.Split
				byEvent[im.EventID] = im
				require.Contains(t, files, im.File, "the image is in the zip")
			}
			require.Len(t, byEvent, len(want))

			// boxes returns the expected labels of an event in image pixels.
			expect := func(ev string) [][5]float64 {
				c := want[ev]
				if c.status == "rejected" {
					return nil
				}
				var out [][5]float64
				for _, d := range c.dets {
					cls := 0.0
					if d.ClassName == "umbrella" {
						cls = 1
					}
					out = append(out, [5]float64{cls, float64(d.X), float64(d.Y), float64(d.Width), float64(d.Height)})
				}
				return out
			}
			switch format {
			case FormatYOLO:
				var data yoloData
				require.NoError(t, yaml.Unmarshal(files["data.yaml"], &data))
				require.Equal(t, classes, data.Names)
				require.Equal(t, 2, data.NC)
				require.Equal(t, "images/train", data.Train)
				for ev, im := range byEvent {
					label := strings.Replace(strings.TrimSuffix(im.File, ".jpg")+".txt", "images/", "labels/", 1)
					txt, ok := files[label]
					require.True(t, ok, "label %s", label)
					var got [][5]float64
					for line := range strings.SplitSeq(strings.TrimSpace(string(txt)), "\n") {
						if line == "" {
							continue
						}
						var v [5]float64
						_, err := fmt.Sscan(line, &v[0], &v[1], &v[2], &v[3], &v[4])
						require.NoError(t, err, line)
						cfg := sizes[ev]
						w, h := float64(cfg.Width), float64(cfg.Height)
						got = append(got, [5]float64{v[0], v[1]*w - v[3]*w/2, v[2]*h - v[4]*h/2, v[3] * w, v[4] * h})
					}
					requireBoxes(t, ev, expect(ev), got)
				}
			case FormatCOCO:
				for _, sp := range []string{SplitTrain, SplitVal} {
					var doc cocoFile
					require.NoError(t, json.Unmarshal(files["annotations/instances_"+sp+".json"], &doc))
					require.Equal(t, []cocoCategory{{1, "dining table"}, {2, "umbrella"}}, doc.Categories)
					for _, im := range doc.Images {
						require.Equal(t, sp, splitOf[im.CameraID], "image %s in split %s", im.FileName, sp)
						require.Contains(t, files, "images/"+sp+"/"+im.FileName)
						ev := ""
						for e, ie := range byEvent {
							if ie.File == "images/"+sp+"/"+im.FileName {
								ev = e
							}
						}
						require.NotEmpty(t, ev)
						require.Equal(t, sizes[ev].Width, im.Width)
						var got [][5]float64
						for _, a := range doc.Annotations {
							if a.ImageID == im.ID {
								got = append(got, [5]float64{float64(a.CategoryID - 1), a.BBox[0], a.BBox[1], a.BBox[2], a.BBox[3]})
							}
						}
						requireBoxes(t, ev, expect(ev), got)
					}
				}
			}
		})
	}

	_, err = ExportDataset(ctx, st, blobs, ExportOptions{Format: "voc"}, io.Discard)
	require.ErrorIs(t, err, ErrInvalid)
	require.ErrorContains(t, err, `format: invalid value "voc": allowed: yolo, coco`)
}

func requireBoxes(t *testing.T, ev string, want, got [][5]float64) {
	t.Helper()
	require.Len(t, got, len(want), "event %s: %v", ev, got)
	for i := range want {
		for k := range 5 {
			require.InDelta(t, want[i][k], got[i][k], 0.05, "event %s box %d value %d: want %v got %v", ev, i, k, want[i], got[i])
		}
	}
}

func TestSplitCameras(t *testing.T) {
	for _, tc := range []struct{ n, val int }{{0, 0}, {1, 0}, {2, 1}, {5, 1}, {10, 2}, {12, 2}} {
		t.Run(strconv.Itoa(tc.n), func(t *testing.T) {
			cams := map[string]bool{}
			for i := range tc.n {
				cams[fmt.Sprintf("edge/cam-%d", i)] = true
			}
			s := splitCameras(cams, 0.2)
			require.Len(t, s, tc.n)
			val := 0
			for _, v := range s {
				if v == SplitVal {
					val++
				}
			}
			require.Equal(t, tc.val, val)
			require.Equal(t, s, splitCameras(cams, 0.2), "the same split every time")
		})
	}
}
