package models

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/internal/modelspec"
	"github.com/xiuhua/xiuhua/internal/onnxbuild"
	"github.com/xiuhua/xiuhua/internal/testdata"
	"github.com/xiuhua/xiuhua/server/blob"
	"github.com/xiuhua/xiuhua/server/store"
	"github.com/xiuhua/xiuhua/server/store/sqlite"
)

func counter(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	require.NoError(t, c.Write(&m))
	return m.GetCounter().GetValue()
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// regEnv is a registry over a real SQLite store and a models folder.
type regEnv struct {
	reg   *Registry
	store *sqlite.Store
	dir   string
	m     *Metrics
	kicks chan string
	blobs *blob.Folder
}

func newRegEnv(t *testing.T) *regEnv {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "xiuhua.db"))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, st.Close()) })
	e := &regEnv{store: st, dir: filepath.Join(dir, "models"), m: NewMetrics(prometheus.NewRegistry()), kicks: make(chan string, 100)}
	e.blobs, err = blob.NewFolder(filepath.Join(dir, "blobs"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = e.blobs.Close() })
	e.reg, err = New(Options{Store: st, Dir: e.dir, Blobs: e.blobs, MaxBytes: 64 << 20, Metrics: e.m,
		ReferenceImage: testdata.Path(t, "images", "000000000139.jpg"),
		Kick:           func(id string) { e.kicks <- id }})
	require.NoError(t, err)
	return e
}

// realUpload is the project's YOLOX-Nano with its shipped manifest and
// classes file.
func realUpload(t *testing.T) Upload {
	t.Helper()
	root, err := testdata.RepoRoot()
	require.NoError(t, err)
	man, err := os.ReadFile(filepath.Join(root, "models", "yolox-nano.yaml"))
	require.NoError(t, err)
	classes, err := os.ReadFile(filepath.Join(root, "models", "coco_classes.txt"))
	require.NoError(t, err)
	onnx, err := os.ReadFile(testdata.Path(t, "models", "yolox_nano.onnx"))
	require.NoError(t, err)
	return Upload{ONNX: bytes.NewReader(onnx), Manifest: man, Classes: classes, By: "admin"}
}

// tinyManifest is the manifest of the generated nms_free models: a 64×64
// input, classes a, b, c.
const tinyManifest = `name: tiny
version: "%s"
onnx: tiny.onnx
sha256: %s
family: nms_free
input:
  width: 64
  height: 64
  layout: NCHW
  channel_order: RGB
  scale: 0.00392156862745098
  mean: [0, 0, 0]
  std: [1, 1, 1]
  pad_value: 0
classes: [a, b, c]
score_threshold: 0.3
nms_iou: 0.45
max_detections: 10
`

// tinyModel is a valid nms_free model: 4 boxes of finite values.
func tinyModel(seed float32) []byte {
	base := make([]float32, 24)
	for i := range base {
		base[i] = seed + float32(i)
	}
	return onnxbuild.Constant(64, 64, []int64{1, 4, 6}, base)
}

func tinyUpload(version string, model []byte) Upload {
	return Upload{ONNX: bytes.NewReader(model), Manifest: fmt.Appendf(nil, tinyManifest, version, sum(model)), By: "admin"}
}

func TestUploadRealModel(t *testing.T) {
	e := newRegEnv(t)
	ctx := context.Background()
	u := realUpload(t)
	v, created, err := e.reg.Upload(ctx, u)
	require.NoError(t, err)
	require.True(t, created)
	require.Equal(t, "695e750a5d5754bb5a8d5325643b59282191a7e7a564e435a415fd3c578eab14", v.SHA256)
	require.Equal(t, "yolox", v.Family)
	require.Len(t, v.Classes, 80)
	require.Equal(t, 416, v.InputWidth)

	// Stored in FetchModel's layout, the manifest self-contained (classes
	// inline, the file named as stored) and loadable by the edge's parser.
	dir := filepath.Join(e.dir, "yolox-nano", "0.1.1")
	onnx, err := os.ReadFile(filepath.Join(dir, ModelFile))
	require.NoError(t, err)
	require.Equal(t, v.SHA256, sum(onnx))
	m, err := modelspec.LoadManifest(filepath.Join(dir, ManifestFile))
	require.NoError(t, err)
	require.Equal(t, ModelFile, m.ONNX)
	require.Empty(t, m.ClassesFile)
	require.Equal(t, "person", m.Classes[0])
	require.Equal(t, modelspec.AlignTopLeft, m.Input.Align)
	require.Equal(t, v.SHA256, m.SHA256)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 2, "only model.onnx and manifest.yaml")
	tmp, err := os.ReadDir(filepath.Join(e.dir, tmpDir))
	require.NoError(t, err)
	require.Empty(t, tmp, "no staging folder left")
	// In the blob store too, for every replica's FetchModel.
	info, err := e.blobs.Stat(ctx, v.SHA256)
	require.NoError(t, err)
	require.Equal(t, v.Size, info.Size)

	// The same bytes again: accepted as already there.
	v2, created, err := e.reg.Upload(ctx, realUpload(t))
	require.NoError(t, err)
	require.False(t, created)
	require.Equal(t, v.SHA256, v2.SHA256)

	// Other bytes under the same name and version: refused, 409.
	other := tinyModel(1)
	u = realUpload(t)
	u.ONNX = bytes.NewReader(other)
	u.Manifest = bytes.Replace(u.Manifest, []byte(v.SHA256), []byte(sum(other)), 1)
	_, _, err = e.reg.Upload(ctx, u)
	rej, ok := IsRejection(err)
	require.True(t, ok, "%v", err)
	require.Equal(t, CheckVersion, rej.Check)
	require.Equal(t, 409, rej.Status)
	require.ErrorContains(t, err, "already exists with sha256 695e750a")
	onnx, err = os.ReadFile(filepath.Join(dir, ModelFile))
	require.NoError(t, err)
	require.Equal(t, v.SHA256, sum(onnx), "the stored version is untouched")

	require.Equal(t, 2.0, counter(t, e.m.uploads.WithLabelValues("accepted")))
	require.Equal(t, 1.0, counter(t, e.m.uploads.WithLabelValues("rejected_version")))
}

func TestUploadRejections(t *testing.T) {
	real := realUpload(t)
	realONNX, err := os.ReadFile(testdata.Path(t, "models", "yolox_nano.onnx"))
	require.NoError(t, err)
	corrupt := append([]byte(nil), realONNX[:len(realONNX)/3]...)
	garbage := []byte("this is not an onnx file at all, just text pretending to be one")
	nan := make([]float32, 24)
	for i := range nan {
		nan[i] = float32(math.NaN())
	}
	nanModel := onnxbuild.Constant(64, 64, []int64{1, 4, 6}, nan)
	// Declares 7 values a box outright.
	badShape := onnxbuild.Constant(64, 64, []int64{1, 4, 7}, make([]float32, 28))

	withONNX := func(model []byte) Upload {
		u := real
		u.ONNX = bytes.NewReader(model)
		u.Manifest = bytes.Replace(real.Manifest, []byte(sum(realONNX)), []byte(sum(model)), 1)
		return u
	}
	for _, tc := range []struct {
		name   string
		upload func() Upload
		check  string
		status int
		want   []string
	}{
		{"corrupt onnx (truncated)", func() Upload { return withONNX(corrupt) }, CheckONNX, 422,
			[]string{"not a valid ONNX model"}},
		{"not onnx at all", func() Upload { return withONNX(garbage) }, CheckONNX, 422,
			[]string{"not a valid ONNX model"}},
		{"manifest lies about the input size", func() Upload {
			u := real
			u.ONNX = bytes.NewReader(realONNX)
			u.Manifest = bytes.ReplaceAll(real.Manifest, []byte("416"), []byte("320"))
			return u
		}, CheckInput, 422, []string{`input "images" has shape [1 3 416 416]`, "width 320, height 320", "wants [1 3 320 320]"}},
		{"manifest lies about the classes", func() Upload {
			u := real
			u.ONNX = bytes.NewReader(realONNX)
			u.Classes = []byte("person\ncar\n")
			return u
		}, CheckOutput, 422, []string{"85 values per box, so 80 classes, but the manifest lists 2 classes"}},
		{"sha256 of other bytes", func() Upload {
			u := real
			u.ONNX = bytes.NewReader(corrupt)
			return u
		}, CheckSHA256, 422, []string{"the manifest says sha256 695e750a", "a truncated or different file"}},
		{"invalid manifest", func() Upload {
			u := real
			u.ONNX = bytes.NewReader(realONNX)
			u.Manifest = bytes.Replace(real.Manifest, []byte("nms_iou: 0.45"), []byte("nms_iou: 4.5"), 1)
			return u
		}, CheckManifest, 422, []string{"nms_iou: invalid value 4.5"}},
		{"classes file not uploaded", func() Upload {
			u := real
			u.ONNX = bytes.NewReader(realONNX)
			u.Classes = nil
			return u
		}, CheckManifest, 422, []string{`classes_file: invalid value "coco_classes.txt"`, `form part "classes"`}},
		{"output the family cannot read", func() Upload { return tinyUpload("1", badShape) }, CheckOutput, 422,
			[]string{`output "output": shape [1 4 7]: family nms_free wants [1, boxes, 6]`}},
		{"smoke run gives NaN", func() Upload { return tinyUpload("1", nanModel) }, CheckSmoke, 422,
			[]string{`output "output" has 24 of 24 values NaN or infinite on the reference image`}},
		{"no manifest", func() Upload { return Upload{ONNX: bytes.NewReader(realONNX)} }, CheckRequest, 400,
			[]string{"the manifest is missing"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newRegEnv(t)
			_, _, err := e.reg.Upload(context.Background(), tc.upload())
			rej, ok := IsRejection(err)
			require.True(t, ok, "want a rejection, got %v", err)
			require.Equal(t, tc.check, rej.Check, "%v", err)
			require.Equal(t, tc.status, rej.Status)
			for _, w := range tc.want {
				require.ErrorContains(t, err, w)
			}
			list, err := e.store.ListModelVersions(context.Background())
			require.NoError(t, err)
			require.Empty(t, list, "nothing stored")
			entries, err := os.ReadDir(e.dir)
			require.NoError(t, err)
			require.Len(t, entries, 1, "only the staging folder")
			require.Equal(t, 1.0, counter(t, e.m.uploads.WithLabelValues("rejected_"+tc.check)))
		})
	}
}

func TestUploadTooLarge(t *testing.T) {
	e := newRegEnv(t)
	e.reg.opts.MaxBytes = 100
	_, _, err := e.reg.Upload(context.Background(), tinyUpload("1", tinyModel(0)))
	rej, ok := IsRejection(err)
	require.True(t, ok, "%v", err)
	require.Equal(t, 413, rej.Status)
	require.ErrorContains(t, err, "larger than 100 bytes")
}

func TestTinyModelAcceptedAndServedManifest(t *testing.T) {
	e := newRegEnv(t)
	model := tinyModel(0)
	v, created, err := e.reg.Upload(context.Background(), tinyUpload("1", model))
	require.NoError(t, err)
	require.True(t, created)
	require.Equal(t, []string{"a", "b", "c"}, v.Classes)
	got, err := e.store.GetModelVersion(context.Background(), "tiny", "1")
	require.NoError(t, err)
	require.Equal(t, v.Manifest, got.Manifest)
	require.True(t, strings.Contains(string(got.Manifest), "onnx: model.onnx"), "%s", got.Manifest)
	_, err = modelspec.ParseManifest(got.Manifest, filepath.Join(e.dir, "tiny", "1"))
	require.NoError(t, err)
}

func TestStaleFolderReplaced(t *testing.T) {
	e := newRegEnv(t)
	// A folder left by an upload that crashed before its database row.
	stale := filepath.Join(e.dir, "tiny", "1")
	require.NoError(t, os.MkdirAll(stale, 0o750))
	require.NoError(t, os.WriteFile(filepath.Join(stale, ModelFile), []byte("half"), 0o640))
	model := tinyModel(0)
	_, _, err := e.reg.Upload(context.Background(), tinyUpload("1", model))
	require.NoError(t, err)
	b, err := os.ReadFile(filepath.Join(stale, ModelFile))
	require.NoError(t, err)
	require.Equal(t, model, b)
}

func TestRolloutErrors(t *testing.T) {
	e := newRegEnv(t)
	ctx := context.Background()
	_, _, err := e.reg.Upload(ctx, tinyUpload("1", tinyModel(0)))
	require.NoError(t, err)
	_, err = e.reg.Rollout(ctx, "nope", "tiny", "1", "admin")
	require.ErrorIs(t, err, store.ErrNotFound)
	require.ErrorContains(t, err, `device group "nope"`)
	_, err = e.reg.PutGroup(ctx, "canary", []string{"edge-a"})
	require.NoError(t, err)
	_, err = e.reg.Rollout(ctx, "canary", "tiny", "2", "admin")
	require.ErrorIs(t, err, store.ErrNotFound)
	require.ErrorContains(t, err, "model tiny version 2")
	_, err = e.reg.PutGroup(ctx, "bad name", nil)
	require.ErrorIs(t, err, ErrInvalid)
	_, err = e.reg.PutGroup(ctx, "g", []string{"edge a"})
	require.ErrorIs(t, err, ErrInvalid)

	r, err := e.reg.Rollout(ctx, "canary", "tiny", "1", "admin")
	require.NoError(t, err)
	require.Equal(t, "edge-a", <-e.kicks) // from PutGroup
	require.Equal(t, "edge-a", <-e.kicks, "a rollout kicks the group's devices")
	d, err := e.reg.Device(ctx, "edge-a")
	require.NoError(t, err)
	require.Equal(t, r.ID, d.Assignment.ID)
	require.False(t, d.InSync())
}
