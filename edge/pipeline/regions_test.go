package pipeline

import (
	"image"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"gocv.io/x/gocv"

	"github.com/xiuhua/xiuhua/edge/decode"
	"github.com/xiuhua/xiuhua/edge/ingest"
	"github.com/xiuhua/xiuhua/edge/regions"
	"github.com/xiuhua/xiuhua/edge/rules"
	"github.com/xiuhua/xiuhua/edge/track"
	"github.com/xiuhua/xiuhua/edge/vision"
	"github.com/xiuhua/xiuhua/internal/logtest"
	"github.com/xiuhua/xiuhua/internal/testdata"
)

// frame1080 is the first picture of vtest.avi enlarged to 1920×1080 with
// the COCO chair pasted at rect (its size says how much to enlarge it).
func frame1080(t *testing.T, rect image.Rectangle) gocv.Mat {
	t.Helper()
	vc, err := gocv.VideoCaptureFile(testdata.Path(t, "media", "vtest.avi"))
	require.NoError(t, err)
	defer vc.Close()
	small := gocv.NewMat()
	defer small.Close()
	require.True(t, vc.Read(&small))
	frame := gocv.NewMat()
	gocv.Resize(small, &frame, image.Pt(1920, 1080), 0, 0, gocv.InterpolationLinear)
	pic := gocv.IMRead(testdata.Path(t, "images", "000000000139.jpg"), gocv.IMReadColor)
	defer pic.Close()
	crop := pic.Region(image.Rect(370, 210, 446, 320))
	defer crop.Close()
	obj := gocv.NewMat()
	defer obj.Close()
	gocv.Resize(crop, &obj, rect.Size(), 0, 0, gocv.InterpolationLinear)
	dst := frame.Region(rect)
	defer dst.Close()
	obj.CopyTo(&dst)
	return frame
}

// TestRegionsNoDuplicateAtSeams puts a chair across a seam between two
// tiles of a 1080p frame, cut in two or whole in both tiles' overlap, and
// checks that the tiles really each see it and that the merged look has
// exactly one chair there, on the chair, with and without the whole-frame
// look joining in.
func TestRegionsNoDuplicateAtSeams(t *testing.T) {
	det, err := openDetector(testdata.Path(t, "models"))
	require.NoError(t, err)
	defer det.Close()
	// One region over the lower half: tiles of 416×540 starting at x = 0,
	// 301, 602, …, so tiles 0 and 1 share x 301–416.
	half := []regions.Source{{Name: "lower half", Rect: image.Rect(0, 540, 1920, 1080)}}
	cases := []struct {
		name  string
		chair image.Rectangle
	}{
		{"cut in two by the seams", image.Rect(280, 700, 470, 975)},
		{"larger, cut in two", image.Rect(260, 600, 564, 1040)},
		{"whole in the overlap", image.Rect(306, 760, 306+106, 760+154)},
	}
	for _, tc := range cases {
		// From a BGR frame (file sources, scaled cameras) and from a decoded
		// picture (cameras at their resolution), whose tiles are converted
		// straight to the model's input size.
		for _, from := range []string{"bgr", "picture"} {
			t.Run(tc.name+"/"+from, func(t *testing.T) {
				img := frame1080(t, tc.chair)
				defer img.Close()
				f := ingest.Frame{Image: img}
				if from == "picture" {
					pic, err := decode.PictureFromBGR(img)
					require.NoError(t, err)
					defer pic.Close()
					f = ingest.Frame{Picture: pic}
				}
				scaler := decode.NewScaler()
				defer scaler.Free()
				v := newView(f, scaler)
				r := &Regions{
					Sources:   func(image.Point) []regions.Source { return half },
					Params:    regions.Params{Input: image.Pt(416, 416), Overlap: 0.2, MaxTiles: 8},
					FullEvery: 2,
				}
				r.replan(image.Pt(1920, 1080), slog.Default())
				require.Len(t, r.tiles, 6)
				require.Equal(t, image.Rect(301, 540, 717, 1080), r.tiles[1])
				seen := 0
				for _, rect := range r.tiles[:2] {
					dets, _, err := detectInput(det, v, rect, r.Params.Input)
					require.NoError(t, err)
					if on := onChair(dets, tc.chair); len(on) > 0 {
						t.Logf("tile %v: %v", rect, on)
						seen++
					}
				}
				require.GreaterOrEqual(t, seen, 2, "the chair must be seen by both tiles for the test to mean anything")
				for look := range 2 { // look 0 with the whole frame, look 1 tiles only
					dets, _, err := r.detect(det, v, slog.Default())
					require.NoError(t, err)
					on := onChair(dets, tc.chair)
					require.Len(t, on, 1, "look %d: one box on the chair, got %v", look, on)
					iou := track.IoU(on[0].Box, box(tc.chair))
					t.Logf("look %d: %s %.2f, IoU with the pasted chair %.2f (%d tiles saw it)", look, on[0].Class, on[0].Score, iou, seen)
					require.GreaterOrEqual(t, iou, float32(0.5))
				}
			})
		}
	}
}

// onChair is the chair detections that overlap the chair. (The model may
// also call it a bench: another class, which class-aware NMS keeps on the
// whole frame too.)
func onChair(dets []vision.Detection, chair image.Rectangle) []vision.Detection {
	var out []vision.Detection
	for _, d := range dets {
		if d.Class == "chair" && track.IoU(d.Box, box(chair)) > 0.05 {
			out = append(out, d)
		}
	}
	return out
}

func box(r image.Rectangle) vision.Box {
	return vision.Box{X1: float32(r.Min.X), Y1: float32(r.Min.Y), X2: float32(r.Max.X), Y2: float32(r.Max.Y)}
}

// TestRegionsOutsideThePictureLoggedOnceAndClipped: a zone drawn in pixels
// for a larger picture reaches outside a 768×576 one; it is clipped, the
// camera says so once (not at every look), looks at the clipped tile, and
// says it again only when the picture size changes.
func TestRegionsOutsideThePictureLoggedOnceAndClipped(t *testing.T) {
	det, err := openDetector(testdata.Path(t, "models"))
	require.NoError(t, err)
	defer det.Close()
	zone := rules.Zone{ID: "kerb", Pixels: true, Polygon: []rules.Point{{X: 600, Y: 400}, {X: 1000, Y: 400}, {X: 1000, Y: 700}, {X: 600, Y: 700}}}
	r := &Regions{
		Sources:   func(f image.Point) []regions.Source { return regions.FromZones([]rules.Zone{zone}, f) },
		Params:    regions.Params{Input: image.Pt(416, 416), Overlap: 0.2, MaxTiles: 1},
		FullEvery: 4,
	}
	var buf logtest.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	for _, size := range []image.Point{{768, 576}, {768, 576}, {768, 576}, {640, 480}} {
		img := gocv.NewMatWithSize(size.Y, size.X, gocv.MatTypeCV8UC3)
		_, _, err := r.Detect(det, img, log)
		img.Close()
		require.NoError(t, err)
	}
	require.Equal(t, 2, strings.Count(buf.String(), "regions reach outside the picture"), buf.String())
	require.Contains(t, buf.String(), `regions="[zone kerb]" width=768 height=576`)
	require.Equal(t, []image.Rectangle{image.Rect(560, 325, 640, 480)}, r.tiles, "clipped to the last picture")
}
