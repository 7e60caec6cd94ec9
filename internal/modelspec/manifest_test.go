package modelspec

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/internal/conf"
	"github.com/xiuhua/xiuhua/internal/modelspec/modelspectest"
	"github.com/xiuhua/xiuhua/internal/testdata"
)

const goodManifest = modelspectest.GoodManifest

func manifestDir(t *testing.T) string { return modelspectest.Dir(t) }

func TestLoadManifest(t *testing.T) {
	dir := manifestDir(t)
	p := filepath.Join(dir, "m.yaml")
	require.NoError(t, os.WriteFile(p, []byte(goodManifest+"class_thresholds:\n  umbrella: 0.2\n"), 0o644))
	m, err := LoadManifest(p)
	require.NoError(t, err)
	require.Equal(t, []string{"person", "car", "umbrella"}, m.Classes, "trailing blank lines ignored")
	require.Equal(t, filepath.Join(dir, "tiny.onnx"), m.ONNXPath())
	require.Equal(t, AlignCenter, m.Input.Align, "default alignment")
	require.Equal(t, float32(0.3), m.Threshold(0))
	require.Equal(t, float32(0.2), m.Threshold(2))
	require.Equal(t, float32(0.3), m.Threshold(99))
}

func TestShippedManifest(t *testing.T) {
	root, err := testdata.RepoRoot()
	require.NoError(t, err)
	dir := t.TempDir()
	for _, f := range []string{"yolox-nano.yaml", "coco_classes.txt"} {
		b, err := os.ReadFile(filepath.Join(root, "models", f))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, f), b, 0o644))
	}
	require.NoError(t, os.Symlink(testdata.Path(t, "models", "yolox_nano.onnx"), filepath.Join(dir, "yolox_nano.onnx")))
	m, err := LoadManifest(filepath.Join(dir, "yolox-nano.yaml"))
	require.NoError(t, err)
	require.Equal(t, "yolox-nano", m.Name)
	require.Equal(t, "yolox", m.Family)
	require.Len(t, m.Classes, 80)
	require.Equal(t, "person", m.Classes[0])
	require.Equal(t, AlignTopLeft, m.Input.Align)
	require.Equal(t, []int64{1, 3, 416, 416}, m.InputShape())
	out, err := m.CheckOutput([]int64{1, 3549, 85})
	require.NoError(t, err)
	require.Equal(t, []int64{1, 3549, 85}, out)
}

func TestManifestErrors(t *testing.T) {
	tests := []struct {
		name  string
		edits []string // old, new, ... applied to goodManifest
		want  []string // each must appear in the error
	}{
		{"bad family", []string{"family: yolox", "family: yolov9"},
			[]string{`family: invalid value "yolov9": allowed: nms_free, yolov5, yolov8, yolox`}},
		{"missing onnx file", []string{"onnx: tiny.onnx", "onnx: gone.onnx"},
			[]string{`onnx: invalid value "gone.onnx": allowed: an existing file`, "run hack/fetch-models.sh"}},
		{"onnx is a folder", []string{"onnx: tiny.onnx", "onnx: folder.onnx"},
			[]string{`onnx: invalid value "folder.onnx": allowed: a file, not a folder`}},
		{"no onnx", []string{"onnx: tiny.onnx\n", ""},
			[]string{`onnx: invalid value "": allowed: the ONNX file name`}},
		{"bad sha256", []string{"sha256: 0123456789abcdef", "sha256: 0123456789ABCDEF"},
			[]string{`sha256: invalid value "0123456789ABCDEF0123`, "allowed: 64 lower-case hex digits"}},
		{"short sha256", []string{"sha256: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "sha256: 695e"},
			[]string{`sha256: invalid value "695e"`}},
		{"unknown key", []string{"licence:", "colour: red\nlicence:"},
			[]string{"field colour not found"}},
		{"unknown nested key", []string{"  width: 64", "  widht: 64"},
			[]string{"field widht not found"}},
		{"bad name", []string{"name: tiny", "name: Tiny Model"},
			[]string{`name: invalid value "Tiny Model"`}},
		{"no version", []string{`version: "1"`, `version: ""`},
			[]string{`version: invalid value "": allowed: a non-empty version`}},
		{"width not a multiple of 32", []string{"width: 64", "width: 420"},
			[]string{"input.width: invalid value 420: allowed: a multiple of 32 for family yolox"}},
		{"zero height", []string{"height: 32", "height: 0"},
			[]string{"input.height: invalid value 0: allowed: an integer from 1 to 8192"}},
		{"bad layout", []string{"layout: NCHW", "layout: CHW"},
			[]string{`input.layout: invalid value "CHW": allowed: NCHW, NHWC`}},
		{"bad channel order", []string{"channel_order: BGR", "channel_order: GRAY"},
			[]string{`input.channel_order: invalid value "GRAY": allowed: BGR, RGB`}},
		{"zero scale", []string{"scale: 1", "scale: 0"},
			[]string{"input.scale: invalid value 0: allowed: a positive number"}},
		{"two means", []string{"mean: [0, 0, 0]", "mean: [0, 0]"},
			[]string{"input.mean: invalid value [0 0]: allowed: three numbers, one per channel"}},
		{"missing std", []string{"  std: [1, 1, 1]\n", ""},
			[]string{"input.std: invalid value []: allowed: three numbers"}},
		{"zero std", []string{"std: [1, 1, 1]", "std: [1, 0, 1]"},
			[]string{"input.std[1]: invalid value 0: allowed: a positive number"}},
		{"NaN mean", []string{"mean: [0, 0, 0]", "mean: [0, .nan, 0]"},
			[]string{"input.mean[1]: invalid value NaN: allowed: a finite number"}},
		{"pad value", []string{"pad_value: 114", "pad_value: 300"},
			[]string{"input.pad_value: invalid value 300: allowed: an integer from 0 to 255"}},
		{"bad align", []string{"pad_value: 114", "pad_value: 114\n  align: middle"},
			[]string{`input.align: invalid value "middle": allowed: center, top_left`}},
		{"missing classes file", []string{"classes_file: classes.txt", "classes_file: nope.txt"},
			[]string{`classes_file: invalid value "nope.txt": allowed: a readable file of class names`}},
		{"blank class inside", []string{"classes_file: classes.txt", "classes_file: gap.txt"},
			[]string{`classes[1]: invalid value "": allowed: a non-empty class name`}},
		{"both classes and file", []string{"classes_file: classes.txt", "classes_file: classes.txt\nclasses: [a, b]"},
			[]string{`classes: invalid value "2 names": allowed: either classes or classes_file, not both`}},
		{"no classes", []string{"classes_file: classes.txt\n", ""},
			[]string{"classes: invalid value (empty): allowed: a list of class names, or classes_file"}},
		{"duplicate class", []string{"classes_file: classes.txt", "classes: [a, b, a]"},
			[]string{`classes[2]: invalid value "a": allowed: a name not already used (classes[0])`}},
		{"threshold for unknown class", []string{"licence:", "class_thresholds:\n  dragon: 0.5\nlicence:"},
			[]string{`class_thresholds["dragon"]: invalid value "dragon": allowed: one of the model's class names`}},
		{"threshold out of range", []string{"licence:", "class_thresholds:\n  car: 1.5\nlicence:"},
			[]string{`class_thresholds["car"]: invalid value 1.5: allowed: a number in [0, 1]`}},
		{"score threshold", []string{"score_threshold: 0.3", "score_threshold: 0"},
			[]string{"score_threshold: invalid value 0: allowed: a number in (0, 1]"}},
		{"nms iou", []string{"nms_iou: 0.45", "nms_iou: 45"},
			[]string{"nms_iou: invalid value 45: allowed: a number in (0, 1]"}},
		{"max detections", []string{"max_detections: 100", "max_detections: 0"},
			[]string{"max_detections: invalid value 0: allowed: an integer from 1 to 10000"}},
		{"bad backend", []string{"family: yolox", "family: yolox\nbackend: tensorflow"},
			[]string{`backend: invalid value "tensorflow": allowed: onnxruntime, opencv`}},
		{"every error at once", []string{"family: yolox", "family: ssd", "nms_iou: 0.45", "nms_iou: 2"},
			[]string{`family: invalid value "ssd"`, "nms_iou: invalid value 2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := manifestDir(t)
			s := goodManifest
			for i := 0; i+1 < len(tt.edits); i += 2 {
				require.Contains(t, s, tt.edits[i], "test edit must apply")
				s = strings.Replace(s, tt.edits[i], tt.edits[i+1], 1)
			}
			p := filepath.Join(dir, "m.yaml")
			require.NoError(t, os.WriteFile(p, []byte(s), 0o644))
			_, err := LoadManifest(p)
			require.Error(t, err)
			require.ErrorContains(t, err, `model manifest "`+p+`"`)
			for _, w := range tt.want {
				require.ErrorContains(t, err, w)
			}
		})
	}
}

func TestManifestFieldErrors(t *testing.T) {
	_, err := ParseManifest([]byte("name: x\n"), t.TempDir())
	var fe *conf.FieldError
	require.True(t, errors.As(err, &fe), "callers can pick out the fields: %v", err)
	_, err = LoadManifest(filepath.Join(t.TempDir(), "none.yaml"))
	require.ErrorContains(t, err, "read model manifest")
}

// FuzzParseManifest: arbitrary YAML never panics, and whatever is accepted
// is usable: its thresholds are in range and its classes non-empty.
func FuzzParseManifest(f *testing.F) {
	f.Add([]byte(goodManifest))
	f.Add([]byte(goodManifest + "class_thresholds:\n  car: 0.1\n"))
	f.Add([]byte(strings.Replace(goodManifest, "classes_file: classes.txt", "classes: [a, b]", 1)))
	f.Add([]byte("input: [1, 2]\n"))
	f.Add([]byte("name: &a [*a]\n"))
	f.Add([]byte("{"))
	for _, fam := range []string{"yolov5", "yolov8", "nms_free"} {
		f.Add([]byte(strings.Replace(goodManifest, "family: yolox", "family: "+fam, 1)))
	}
	f.Add([]byte(strings.Replace(goodManifest, "family: yolox", "family: yolov8\nbackend: opencv", 1)))
	f.Add([]byte(strings.Replace(goodManifest, "family: yolox", "family: nms_free\nbackend: tflite", 1)))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := manifestDir(t)
		m, err := ParseManifest(data, dir)
		if err != nil {
			return
		}
		require.NotEmpty(t, m.Classes)
		for c := range m.Classes {
			th := m.Threshold(c)
			require.True(t, th >= 0 && th <= 1)
		}
		_, ok := families[m.Family]
		require.True(t, ok)
	})
}
