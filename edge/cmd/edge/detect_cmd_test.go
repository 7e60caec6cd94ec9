package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"gocv.io/x/gocv"

	"github.com/xiuhua/xiuhua/internal/testdata"
)

// testManifest is models/yolox-nano.yaml as shipped, in a folder where the
// weights are linked from the test data.
func testManifest(t *testing.T) string {
	t.Helper()
	root, err := testdata.RepoRoot()
	require.NoError(t, err)
	dir := t.TempDir()
	for _, f := range []string{"yolox-nano.yaml", "coco_classes.txt"} {
		require.NoError(t, os.Symlink(filepath.Join(root, "models", f), filepath.Join(dir, f)))
	}
	require.NoError(t, os.Symlink(testdata.Path(t, "models", "yolox_nano.onnx"), filepath.Join(dir, "yolox_nano.onnx")))
	return filepath.Join(dir, "yolox-nano.yaml")
}

func runCLI(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return code, o.String(), e.String()
}

// The skier image (COCO 785) holds one person, ground truth about
// [281, 45, 499, 391].
func TestDetectImage(t *testing.T) {
	model, img := testManifest(t), testdata.Path(t, "images", "000000000785.jpg")

	t.Run("json", func(t *testing.T) {
		for _, be := range []string{"onnxruntime", "opencv"} {
			code, out, errOut := runCLI("detect", "--model", model, "--image", img, "--json", "--backend", be)
			require.Equal(t, 0, code, errOut)
			var r jsonResult
			require.NoError(t, json.Unmarshal([]byte(out), &r))
			require.Equal(t, img, r.Image)
			require.Equal(t, 640, r.Width)
			require.Equal(t, "yolox-nano", r.Model.Name)
			require.True(t, strings.HasPrefix(r.Model.Runtime, be), r.Model.Runtime)
			require.NotEmpty(t, r.Detections)
			p := r.Detections[0]
			require.Equal(t, "person", p.Class)
			require.Greater(t, p.Score, float32(0.8))
			require.InDelta(t, 281, p.Box[0], 15)
			require.InDelta(t, 391, p.Box[3], 15)
		}
	})
	t.Run("text and annotated copy", func(t *testing.T) {
		annotated := filepath.Join(t.TempDir(), "annotated.jpg")
		code, out, errOut := runCLI("detect", "-model", model, "-image", img, "-out", annotated, "-threads", "1")
		require.Equal(t, 0, code, errOut)
		require.Contains(t, out, "detections (yolox-nano 0.1.1, onnxruntime/cpu)")
		require.Regexp(t, `\n  person +0\.\d{3}  \[`, out)
		m := gocv.IMRead(annotated, gocv.IMReadColor)
		defer m.Close()
		require.Equal(t, [2]int{640, 425}, [2]int{m.Cols(), m.Rows()})
	})
}

func TestDetectVideo(t *testing.T) {
	model, video := testManifest(t), testdata.Path(t, "media", "vtest.avi")
	code, out, errOut := runCLI("detect", "--model", model, "--video", video, "--json", "--every", "10", "--max-frames", "3")
	require.Equal(t, 0, code, errOut)
	var frames []int
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r jsonResult
		require.NoError(t, json.Unmarshal(sc.Bytes(), &r))
		require.NotNil(t, r.Frame)
		frames = append(frames, *r.Frame)
		require.Equal(t, 768, r.Width)
		persons := 0
		for _, d := range r.Detections {
			if d.Class == "person" {
				persons++
			}
		}
		require.GreaterOrEqual(t, persons, 2, "the plaza has people in every frame")
	}
	require.Equal(t, []int{0, 10, 20}, frames)

	code, out, errOut = runCLI("detect", "--model", model, "--video", video, "--max-frames", "1")
	require.Equal(t, 0, code, errOut)
	require.True(t, strings.HasPrefix(out, "frame 0 (0.000 s): "), out)
}

func TestDetectUsageErrors(t *testing.T) {
	model := testManifest(t)
	img := testdata.Path(t, "images", "000000000785.jpg")
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("name: x\nfamily: ssd\n"), 0o644))
	junk := filepath.Join(t.TempDir(), "junk.jpg")
	require.NoError(t, os.WriteFile(junk, []byte("not a picture"), 0o644))
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no model", []string{"detect", "--image", img}, 2, "--model is required"},
		{"image and video", []string{"detect", "--model", model, "--image", img, "--video", "v.mp4"}, 2, "give exactly one of --image and --video"},
		{"out without image", []string{"detect", "--model", model, "--video", "v.mp4", "--out", "a.jpg"}, 2, "--out needs --image"},
		{"bad every", []string{"detect", "--model", model, "--video", "v.mp4", "--every", "0"}, 2, "--every 0: want 1 or more"},
		{"unknown flag", []string{"detect", "--modle", model}, 2, "flag provided but not defined: -modle"},
		{"bad manifest", []string{"detect", "--model", bad, "--image", img}, 2, `family: invalid value "ssd"`},
		{"missing provider", []string{"detect", "--model", model, "--image", img, "--providers", "cuda"}, 1, "execution provider cuda: not available"},
		{"unknown provider", []string{"detect", "--model", model, "--image", img, "--providers", "cpu,gpu"}, 1, `unknown execution provider "gpu"`},
		{"not an image", []string{"detect", "--model", model, "--image", junk}, 1, "cannot read image"},
		{"no video", []string{"detect", "--model", model, "--video", filepath.Join(t.TempDir(), "none.mp4")}, 1, "none.mp4"},
		{"unknown command", []string{"detcet"}, 2, `unknown command "detcet"`},
		{"node: bad config", []string{"-config", filepath.Join(t.TempDir(), "none.yaml")}, 2, "configuration error"},
		{"node via run", []string{"run", "-config", filepath.Join(t.TempDir(), "none.yaml")}, 2, "configuration error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCLI(tt.args...)
			require.Equal(t, tt.code, code, errOut)
			require.Contains(t, errOut, tt.want)
		})
	}
	code, out, _ := runCLI("help")
	require.Equal(t, 0, code)
	require.Contains(t, out, "edge detect --model")
}
