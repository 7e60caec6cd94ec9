package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gocv.io/x/gocv"

	"github.com/xiuhua/xiuhua/edge/config"
	"github.com/xiuhua/xiuhua/edge/detect"
	"github.com/xiuhua/xiuhua/edge/evidence"
	"github.com/xiuhua/xiuhua/edge/modelswap"
	"github.com/xiuhua/xiuhua/edge/pipeline"
	"github.com/xiuhua/xiuhua/edge/rules"
	"github.com/xiuhua/xiuhua/edge/vision"
)

// fakeDetector stands in for a loaded model: the wiring under test never
// looks at detections.
type fakeDetector struct{ info vision.ModelInfo }

func (f *fakeDetector) Detect(gocv.Mat) ([]vision.Detection, error) { return nil, nil }
func (f *fakeDetector) DetectBatch(imgs []gocv.Mat) ([][]vision.Detection, error) {
	return make([][]vision.Detection, len(imgs)), nil
}
func (f *fakeDetector) Info() vision.ModelInfo { return f.info }
func (f *fakeDetector) Close() error           { return nil }

// fakeManifest writes a manifest of version with classes (and a stand-in
// ONNX file) into dir and returns its path.
func fakeManifest(t *testing.T, dir, version, classes string) string {
	t.Helper()
	require.NoError(t, os.MkdirAll(dir, 0o755))
	onnx := []byte("stand-in " + version)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "m.onnx"), onnx, 0o644))
	sum := sha256.Sum256(onnx)
	text := fmt.Sprintf(`name: m
version: "%s"
onnx: m.onnx
sha256: %s
family: nms_free
input: {width: 64, height: 32, layout: NCHW, channel_order: BGR, scale: 1, mean: [0, 0, 0], std: [1, 1, 1], pad_value: 0}
classes: [%s]
score_threshold: 0.3
nms_iou: 0.45
max_detections: 10
`, version, hex.EncodeToString(sum[:]), classes)
	p := filepath.Join(dir, "manifest.yaml")
	require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
	return p
}

// Rules configured without classes follow a swapped-in model's classes in
// every camera's engine; rules with their own classes, and a change rule
// the start model had no class for (a persistent-change watch), do not.
func TestRulesFollowSwappedModel(t *testing.T) {
	rule := func(id, typ string, classes ...string) config.Rule {
		return config.Rule{ID: id, Type: typ, Classes: classes}
	}
	cfg := &config.Config{}
	cfg.Model.Manifest = "start.yaml"
	cfg.Cameras = []config.Camera{
		{ID: "cam1", Zones: []config.Zone{{ID: "z1", Rules: []config.Rule{
			rule("vending", "street_vending"),
			rule("chairs", "outside_store", "chair"),
			rule("structure", "illegal_structure"),
		}}}},
		{ID: "cam2", Zones: []config.Zone{{ID: "z1", Rules: []config.Rule{rule("vending", "street_vending")}}}},
	}
	start := []string{"person", "chair"}
	classless := classlessRules(cfg.Cameras)
	require.NoError(t, resolveRuleClasses(cfg, start))

	type row struct {
		key      string
		classes  []string
		defaults bool
	}
	var got []row
	rcs := ruleClasses(cfg, classless)
	for _, r := range rcs {
		got = append(got, row{ruleKey(r.Camera, r.Zone, r.Rule), r.Classes, r.Defaults})
	}
	require.Equal(t, []row{
		{"cam1/z1/vending", []string{"chair"}, true},
		{"cam1/z1/chairs", []string{"chair"}, false},
		{"cam1/z1/structure", nil, false}, // a change watch, set up at start only
		{"cam2/z1/vending", []string{"chair"}, true},
	}, got)

	dir := t.TempDir()
	v2 := fakeManifest(t, dir, "2", "umbrella, chair, tent")
	mgr := modelswap.New(modelswap.Config{
		Open: func(m *detect.Manifest) (detect.Detector, error) {
			return &fakeDetector{info: vision.ModelInfo{Name: m.Name, Version: m.Version, SHA256: m.SHA256}}, nil
		},
		Probation: time.Hour, ErrorWindow: 1, Rules: rcs,
	}, &fakeDetector{info: vision.ModelInfo{Name: "m", Version: "1"}}, start)
	t.Cleanup(func() { require.NoError(t, mgr.Close()) })

	var chains []*pipeline.Camera
	for _, c := range cfg.Cameras {
		zones, _ := zoneRules(c, time.UTC)
		chains = append(chains, &pipeline.Camera{Source: evidence.Source{CameraID: c.ID}, Rules: rules.NewEngine(zones)})
	}
	followModelClasses(mgr, chains, slog.New(slog.DiscardHandler))
	require.NoError(t, mgr.Install(context.Background(), modelswap.Target{Manifest: v2}))
	require.Equal(t, "2", mgr.Info().Version)

	classesOf := func(c *pipeline.Camera) [][]string {
		var out [][]string
		for _, r := range c.Rules.Zones()[0].Rules {
			out = append(out, r.Classes)
		}
		return out
	}
	require.Equal(t, [][]string{{"chair"}, {"chair"}, nil}, classesOf(chains[0]), "not before the camera's next frame")
	for _, c := range chains {
		require.True(t, c.Rules.ApplyClasses(), "camera %s", c.Source.CameraID)
	}
	require.Equal(t, [][]string{{"umbrella", "chair"}, {"chair"}, nil}, classesOf(chains[0]))
	require.Equal(t, [][]string{{"umbrella", "chair"}}, classesOf(chains[1]))
	require.Empty(t, mgr.RulesOff())
}
