package app

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/edge/config"
	"github.com/xiuhua/xiuhua/edge/detect"
)

// TestWithFloors: the classes of accumulating rules are kept by the
// detector down to the rule's floor; other classes, and the caller's
// manifest, keep their thresholds.
func TestWithFloors(t *testing.T) {
	on, off := true, false
	m := &detect.Manifest{Classes: []string{"person", "chair", "umbrella", "dining table"}, ScoreThreshold: 0.3,
		ClassThresholds: map[string]float32{"umbrella": 0.1}}
	rule := func(typ string, enabled *bool, floor float64, classes ...string) config.Rule {
		return config.Rule{Type: typ, Classes: classes, Accumulate: config.Accumulate{Enabled: enabled, Floor: floor}}
	}
	cfg := &config.Config{Cameras: []config.Camera{{Zones: []config.Zone{{Rules: []config.Rule{
		rule("street_vending", &on, 0.2),                 // classless: the type's defaults the model has
		rule("outside_store", &on, 0.15, "dining table"), // the lower floor wins, for its defaults too
		rule("demo_linger", &off, 0.05, "person"),        // off: no change
	}}}}}}
	got := withFloors(cfg, m)
	want := map[string]float32{"person": 0.3, "chair": 0.15, "umbrella": 0.1, "dining table": 0.15}
	for id, class := range m.Classes {
		require.Equal(t, want[class], got.Threshold(id), class)
	}
	require.Equal(t, map[string]float32{"umbrella": 0.1}, m.ClassThresholds, "the caller's manifest changed")
}
