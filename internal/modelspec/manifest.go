// Package modelspec is the model manifest shared by the edge's detector
// and the server's model registry: what a model's ONNX file takes, how its
// output is read, and the rules both sides check before running it. It
// imports no OpenCV and no onnxruntime, so that the server builds without
// either.
package modelspec

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/xiuhua/xiuhua/internal/conf"
)

// Manifest describes one model: its ONNX file, how to feed it, how to read
// its output and which detections to keep. It is the file model ops upload
// beside the weights (models/*.yaml).
type Manifest struct {
	Name    string `yaml:"name"`    // e.g. "yolox-nano"; [a-z0-9._-]
	Version string `yaml:"version"` // free form, e.g. "0.1.1"
	// ONNX is the weights file, relative to the manifest's folder.
	ONNX   string `yaml:"onnx"`
	SHA256 string `yaml:"sha256"` // of the ONNX file, lower-case hex
	// Family selects the output decoder; see Families.
	Family string `yaml:"family"`
	// Backend is the runtime the model is meant for, "onnxruntime"
	// (default) or "opencv"; Options.Backend overrides it.
	Backend string `yaml:"backend"`
	Input   Input  `yaml:"input"`
	// ClassesFile names a file with one class name a line, relative to the
	// manifest's folder. Exactly one of ClassesFile and Classes is given;
	// after loading, Classes holds the names either way.
	ClassesFile string   `yaml:"classes_file"`
	Classes     []string `yaml:"classes"`
	// ScoreThreshold drops detections below it, unless ClassThresholds
	// names the class.
	ScoreThreshold float32 `yaml:"score_threshold"`
	// ClassThresholds overrides ScoreThreshold per class name: a rare but
	// important class can be let through lower, a noisy one held higher.
	// A box is judged as its best-scoring class only.
	ClassThresholds map[string]float32 `yaml:"class_thresholds"`
	NMSIoU          float32            `yaml:"nms_iou"`        // boxes of one class overlapping more are suppressed
	MaxDetections   int                `yaml:"max_detections"` // per frame, highest scores first
	Source          string             `yaml:"source"`         // where the weights come from
	Licence         string             `yaml:"licence"`

	// Dir is the folder the relative paths start from; ParseManifest and
	// LoadManifest set it. It is not part of the file.
	Dir string `yaml:"-"`
}

// Input describes the tensor the model takes.
type Input struct {
	Width  int    `yaml:"width"`
	Height int    `yaml:"height"`
	Layout string `yaml:"layout"` // NCHW or NHWC
	// ChannelOrder is the order the model wants, BGR or RGB; frames arrive BGR.
	ChannelOrder string `yaml:"channel_order"`
	// The tensor value is (pixel·Scale − Mean[c]) / Std[c], per channel in
	// ChannelOrder. All three are required: a silent default would quietly
	// ruin accuracy for a model trained otherwise.
	Scale float32   `yaml:"scale"`
	Mean  []float32 `yaml:"mean"`
	Std   []float32 `yaml:"std"`
	// PadValue is the 0–255 pixel value of the letterbox border, before
	// normalisation.
	PadValue int `yaml:"pad_value"`
	// Align places the resized image in the letterbox: "center" (default,
	// YOLOv5/v8) or "top_left" (YOLOX's own pre-processing). Matching the
	// training pre-processing keeps scores identical to the reference code.
	Align string `yaml:"align"`
}

// Alignments of the letterboxed image.
const (
	AlignCenter  = "center"
	AlignTopLeft = "top_left"
)

// Limits for manifest values; beyond them a file is more likely a mistake
// than a model.
const (
	maxInputSide     = 8192
	maxClasses       = 100000
	maxDetectionsCap = 10000
)

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)
var sha256RE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// LoadManifest reads and validates the manifest at path. Unknown keys are
// errors, and every invalid field is reported at once, each naming the
// field, the value and what is allowed. The ONNX and classes files must
// exist; the ONNX file's hash is checked by Open, on the bytes it loads.
func LoadManifest(path string) (*Manifest, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read model manifest: %w", err)
	}
	m, err := ParseManifest(data, filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("model manifest %q: %w", path, err)
	}
	return m, nil
}

// ParseManifest decodes and validates a manifest held in memory; relative
// file names start from dir.
func ParseManifest(data []byte, dir string) (*Manifest, error) {
	m := &Manifest{Dir: dir}
	if err := conf.Decode(data, m); err != nil {
		return nil, err
	}
	if m.Input.Align == "" {
		m.Input.Align = AlignCenter
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return m, nil
}

// Decode reads a manifest without validating it or touching files, for a
// caller that must adjust it first (the registry names the uploaded ONNX
// file itself) and then calls Validate.
func Decode(data []byte) (*Manifest, error) {
	m := &Manifest{}
	if err := conf.Decode(data, m); err != nil {
		return nil, err
	}
	if m.Input.Align == "" {
		m.Input.Align = AlignCenter
	}
	return m, nil
}

// ONNXPath is the weights file's path.
func (m *Manifest) ONNXPath() string { return m.resolve(m.ONNX) }

// Threshold is the minimum score for class id.
func (m *Manifest) Threshold(id int) float32 {
	if id >= 0 && id < len(m.Classes) {
		if t, ok := m.ClassThresholds[m.Classes[id]]; ok {
			return t
		}
	}
	return m.ScoreThreshold
}

// Clone returns a deep copy, so that a detector owns its manifest.
func (m *Manifest) Clone() *Manifest {
	c := *m
	c.Classes = slices.Clone(m.Classes)
	c.Input.Mean, c.Input.Std = slices.Clone(m.Input.Mean), slices.Clone(m.Input.Std)
	c.ClassThresholds = maps.Clone(m.ClassThresholds)
	return &c
}

func (m *Manifest) resolve(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(m.Dir, p)
}

// Validate checks every field, reading the classes file (into Classes) and
// checking that the ONNX file exists, and reports every problem at once,
// each naming the field, the value and what is allowed.
func (m *Manifest) Validate() error {
	var errs conf.Errors
	if !nameRE.MatchString(m.Name) {
		errs.Add("name", m.Name, "1-64 characters of a-z 0-9 . _ -, starting with a letter or digit")
	}
	if strings.TrimSpace(m.Version) == "" {
		errs.Add("version", m.Version, "a non-empty version such as 0.1.1")
	}
	m.validateONNX(&errs)
	if !sha256RE.MatchString(m.SHA256) {
		errs.Add("sha256", m.SHA256, "64 lower-case hex digits, the sha256 of the ONNX file")
	}
	m.Input.validate(&errs)
	if f, ok := families[m.Family]; !ok {
		errs.Add("family", m.Family, strings.Join(Families(), ", "))
	} else if f.validate != nil {
		f.validate(m, &errs)
	}
	if m.Backend != "" && m.Backend != BackendONNXRuntime && m.Backend != BackendOpenCV {
		errs.Add("backend", m.Backend, BackendONNXRuntime+", "+BackendOpenCV)
	}
	m.validateClasses(&errs)
	if !inUnit(m.ScoreThreshold) || m.ScoreThreshold == 0 {
		errs.Add("score_threshold", m.ScoreThreshold, "a number in (0, 1]")
	}
	if !inUnit(m.NMSIoU) || m.NMSIoU == 0 {
		errs.Add("nms_iou", m.NMSIoU, "a number in (0, 1]")
	}
	if m.MaxDetections < 1 || m.MaxDetections > maxDetectionsCap {
		errs.Add("max_detections", m.MaxDetections, fmt.Sprintf("an integer from 1 to %d", maxDetectionsCap))
	}
	return errs.Err()
}

func (m *Manifest) validateONNX(errs *conf.Errors) {
	if m.ONNX == "" {
		errs.Add("onnx", m.ONNX, "the ONNX file name, relative to the manifest's folder")
		return
	}
	st, err := os.Stat(m.ONNXPath())
	switch {
	case err != nil:
		errs.Add("onnx", m.ONNX, fmt.Sprintf("an existing file (%v; run hack/fetch-models.sh)", err))
	case st.IsDir():
		errs.Add("onnx", m.ONNX, "a file, not a folder")
	}
}

func (m *Manifest) validateClasses(errs *conf.Errors) {
	switch {
	case m.ClassesFile != "" && len(m.Classes) > 0:
		errs.Add("classes", fmt.Sprintf("%d names", len(m.Classes)), "either classes or classes_file, not both")
		return
	case m.ClassesFile != "":
		names, err := ReadClasses(m.resolve(m.ClassesFile))
		if err != nil {
			errs.Add("classes_file", m.ClassesFile, fmt.Sprintf("a readable file of class names, one a line (%v)", err))
			return
		}
		m.Classes = names
	case len(m.Classes) == 0:
		errs.Add("classes", nil, "a list of class names, or classes_file")
		return
	}
	if len(m.Classes) > maxClasses {
		errs.Add("classes", fmt.Sprintf("%d names", len(m.Classes)), fmt.Sprintf("at most %d classes", maxClasses))
		return
	}
	seen := make(map[string]int, len(m.Classes))
	for i, c := range m.Classes {
		f := fmt.Sprintf("classes[%d]", i)
		if strings.TrimSpace(c) == "" {
			errs.Add(f, c, "a non-empty class name")
		} else if j, dup := seen[c]; dup {
			errs.Add(f, c, fmt.Sprintf("a name not already used (classes[%d])", j))
		}
		seen[c] = i
	}
	keys := make([]string, 0, len(m.ClassThresholds))
	for k := range m.ClassThresholds {
		keys = append(keys, k)
	}
	sort.Strings(keys) // stable error order
	for _, k := range keys {
		f := fmt.Sprintf("class_thresholds[%q]", k)
		if _, ok := seen[k]; !ok {
			errs.Add(f, k, "one of the model's class names")
		}
		if v := m.ClassThresholds[k]; !inUnit(v) {
			errs.Add(f, v, "a number in [0, 1]")
		}
	}
}

func (in *Input) validate(errs *conf.Errors) {
	side := fmt.Sprintf("an integer from 1 to %d", maxInputSide)
	if in.Width < 1 || in.Width > maxInputSide {
		errs.Add("input.width", in.Width, side)
	}
	if in.Height < 1 || in.Height > maxInputSide {
		errs.Add("input.height", in.Height, side)
	}
	if in.Layout != "NCHW" && in.Layout != "NHWC" {
		errs.Add("input.layout", in.Layout, "NCHW, NHWC")
	}
	if in.ChannelOrder != "BGR" && in.ChannelOrder != "RGB" {
		errs.Add("input.channel_order", in.ChannelOrder, "BGR, RGB")
	}
	if !Finite(in.Scale) || in.Scale <= 0 {
		errs.Add("input.scale", in.Scale, "a positive number, e.g. 1 or 0.00392157 (1/255)")
	}
	if len(in.Mean) != 3 {
		errs.Add("input.mean", in.Mean, "three numbers, one per channel")
	}
	for i, v := range in.Mean {
		if !Finite(v) {
			errs.Add(fmt.Sprintf("input.mean[%d]", i), v, "a finite number")
		}
	}
	if len(in.Std) != 3 {
		errs.Add("input.std", in.Std, "three numbers, one per channel")
	}
	for i, v := range in.Std {
		if !Finite(v) || v <= 0 {
			errs.Add(fmt.Sprintf("input.std[%d]", i), v, "a positive number")
		}
	}
	if in.PadValue < 0 || in.PadValue > 255 {
		errs.Add("input.pad_value", in.PadValue, "an integer from 0 to 255")
	}
	if in.Align != AlignCenter && in.Align != AlignTopLeft {
		errs.Add("input.align", in.Align, AlignCenter+", "+AlignTopLeft)
	}
}

// ReadClasses reads a classes file: one class name a line; blank lines at
// the end are ignored, blank lines inside are kept so validation can point
// at them.
func ReadClasses(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	names, err := ParseClasses(data)
	if err != nil {
		return nil, fmt.Errorf("%w in %s", err, path)
	}
	return names, nil
}

// ParseClasses is ReadClasses for a file held in memory.
func ParseClasses(data []byte) ([]string, error) {
	var names []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		names = append(names, strings.TrimSpace(sc.Text()))
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	for len(names) > 0 && names[len(names)-1] == "" {
		names = names[:len(names)-1]
	}
	if len(names) == 0 {
		return nil, errors.New("no class names")
	}
	return names, nil
}

// Finite reports whether v is neither NaN nor infinite.
func Finite(v float32) bool { return !math.IsNaN(float64(v)) && !math.IsInf(float64(v), 0) }

func inUnit(v float32) bool { return v >= 0 && v <= 1 } // false for NaN
