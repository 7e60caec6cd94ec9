package models

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/internal/modelspec"
	"github.com/xiuhua/xiuhua/internal/testdata"
	"github.com/xiuhua/xiuhua/server/store/sqlite"
)

// The upload check's cost with the real YOLOX-Nano, as quoted in README's
// Measured section:
//
//	go test -run '^$' -bench . -benchtime 5x ./server/models
//
// A few iterations are enough: one check is a model load and one
// inference, tens to hundreds of milliseconds.

// benchUpload is realUpload for a benchmark: the project's YOLOX-Nano, its
// manifest (set to version) and classes file.
func benchUpload(b *testing.B, onnx, manifest, classes []byte, version string) Upload {
	b.Helper()
	man := bytes.Replace(manifest, []byte(`version: "0.1.1"`), []byte(`version: "`+version+`"`), 1)
	require.Contains(b, string(man), `version: "`+version+`"`, "models/yolox-nano.yaml no longer has version 0.1.1")
	return Upload{ONNX: bytes.NewReader(onnx), Manifest: man, Classes: classes, By: "bench"}
}

func readRealModel(b *testing.B) (onnx, manifest, classes []byte) {
	b.Helper()
	root, err := testdata.RepoRoot()
	require.NoError(b, err)
	manifest, err = os.ReadFile(filepath.Join(root, "models", "yolox-nano.yaml"))
	require.NoError(b, err)
	classes, err = os.ReadFile(filepath.Join(root, "models", "coco_classes.txt"))
	require.NoError(b, err)
	onnx, err = os.ReadFile(testdata.Path(b, "models", "yolox_nano.onnx"))
	require.NoError(b, err)
	return onnx, manifest, classes
}

// BenchmarkCheck is the onnxruntime part of an upload (read the inputs and
// outputs, compare them with the manifest, load a session, one smoke run
// on the reference image), the part that dominates an upload's time.
func BenchmarkCheck(b *testing.B) {
	onnx, manifest, classes := readRealModel(b)
	dir := b.TempDir()
	require.NoError(b, os.WriteFile(filepath.Join(dir, "coco_classes.txt"), classes, 0o640))
	require.NoError(b, os.WriteFile(filepath.Join(dir, "yolox_nano.onnx"), onnx, 0o640))
	m, err := modelspec.Decode(manifest)
	require.NoError(b, err)
	m.Dir = dir
	require.NoError(b, m.Validate())
	require.Len(b, m.Classes, 80, "classes read from coco_classes.txt")
	reg, err := New(Options{Store: nil, Dir: filepath.Join(dir, "models"),
		ReferenceImage: testdata.Path(b, "images", "000000000139.jpg")})
	require.NoError(b, err)
	ctx := context.Background()
	require.NoError(b, checkModel(ctx, m, onnx, reg.ref, ""), "the first check (onnxruntime start) before timing")

	for b.Loop() {
		if err := checkModel(ctx, m, onnx, reg.ref, ""); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(msPer(b), "ms/check")
}

// BenchmarkUpload is a whole accepted upload of the real model: receive
// (copy, sha256, fsync), manifest, the check, the stored manifest, the
// rename into place and the SQLite row. Each iteration is a new version.
func BenchmarkUpload(b *testing.B) {
	onnx, manifest, classes := readRealModel(b)
	dir := b.TempDir()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "xiuhua.db"))
	require.NoError(b, err)
	b.Cleanup(func() { require.NoError(b, st.Close()) })
	reg, err := New(Options{Store: st, Dir: filepath.Join(dir, "models"), Metrics: NewMetrics(prometheus.NewRegistry()), Log: slog.New(slog.DiscardHandler),
		ReferenceImage: testdata.Path(b, "images", "000000000139.jpg")})
	require.NoError(b, err)
	ctx := context.Background()
	_, created, err := reg.Upload(ctx, benchUpload(b, onnx, manifest, classes, "warm"))
	require.NoError(b, err, "the first upload (onnxruntime start) before timing")
	require.True(b, created)

	n := 0
	for b.Loop() {
		n++
		v, created, err := reg.Upload(ctx, benchUpload(b, onnx, manifest, classes, fmt.Sprintf("bench.%d", n)))
		if err != nil {
			b.Fatal(err)
		}
		if !created || v.SHA256 != sum(onnx) {
			b.Fatalf("upload %s: created %v, sha256 %s; want a new version of %s", v.Version, created, v.SHA256, sum(onnx))
		}
	}
	b.ReportMetric(msPer(b), "ms/upload")
	vs, err := st.ListModelVersions(ctx)
	require.NoError(b, err)
	require.Len(b, vs, b.N+1, "every upload stored once")
}

// msPer is the timed milliseconds per iteration, for a metric easier to
// read than ns/op.
func msPer(b *testing.B) float64 {
	return float64(b.Elapsed().Microseconds()) / 1000 / float64(b.N)
}
