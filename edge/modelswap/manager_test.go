package modelswap

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

const (
	stateActive     = xiuhuav1.ModelState_MODEL_STATE_ACTIVE
	stateWarming    = xiuhuav1.ModelState_MODEL_STATE_WARMING
	stateProbation  = xiuhuav1.ModelState_MODEL_STATE_PROBATION
	stateRolledBack = xiuhuav1.ModelState_MODEL_STATE_ROLLED_BACK
	stateFailed     = xiuhuav1.ModelState_MODEL_STATE_FAILED
)

// A good model is swapped in, judged over a full window, and the old one
// closed; each step is reported.
func TestInstallSwapsThenCommits(t *testing.T) {
	dir := t.TempDir()
	v1 := genModel(t, filepath.Join(dir, "v1"), "1", nmsFreeModel(goodOut, nil), "a, b, c")
	v2 := genModel(t, filepath.Join(dir, "v2"), "2", nmsFreeModel(goodOut, nil), "a, b, c")
	cfg := testConfig()
	cfg.Metrics = newMetrics()
	mgr, st := newTestManager(t, cfg, v1)
	old := mgr.active.det
	black := frame(t, 0)

	_, info, err := mgr.DetectModel(black)
	require.NoError(t, err)
	require.Equal(t, "1", info.Version)

	require.NoError(t, mgr.Install(context.Background(), Target{Manifest: v2, AssignmentID: "a1"}))
	require.Equal(t, "2", mgr.Info().Version)
	require.True(t, mgr.Busy())
	require.Equal(t, []xiuhuav1.ModelState{stateWarming, stateProbation}, st.states())
	require.Equal(t, "2", st.last().GetRunning().GetVersion())
	require.Equal(t, "a1", st.last().GetAssignmentId())
	require.ErrorIs(t, mgr.Install(context.Background(), Target{Manifest: v1}), ErrBusy)

	for range cfg.ErrorWindow {
		dets, info, err := mgr.DetectModel(black)
		require.NoError(t, err)
		require.Equal(t, "2", info.Version)
		require.Len(t, dets, 1)
	}
	require.False(t, mgr.Busy())
	require.Equal(t, stateActive, st.last().GetState())
	require.Equal(t, "2", mgr.Status().GetRunning().GetVersion())
	_, err = old.Detect(black)
	require.ErrorContains(t, err, "detector closed", "the old model is closed after probation")
	require.Equal(t, 1.0, value(t, cfg.Metrics.swaps))
	require.Equal(t, []string{"gen/2"}, infoSeries(t, cfg.Metrics), "only the running model is in the info gauge")

	// The model that runs now is not loaded again.
	require.NoError(t, mgr.Install(context.Background(), Target{Manifest: v2}))
	require.Equal(t, stateActive, mgr.Status().GetState())
}

// Models that cannot run are refused before the swap, with the reason
// reported, and the running model goes on untouched.
func TestInstallRefusesBadModels(t *testing.T) {
	dir := t.TempDir()
	v1 := genModel(t, filepath.Join(dir, "v1"), "1", nmsFreeModel(goodOut, nil), "a, b, c")
	cases := []struct {
		name   string
		make   func(dir string) string
		expect *[2]int
		want   string
	}{
		{"corrupt onnx", func(d string) string {
			return genModel(t, d, "2", []byte("this is not an onnx model at all"), "a, b, c")
		}, nil, "load: model gen 2"},
		{"sha256 differs from manifest", func(d string) string {
			p := genModel(t, d, "2", nmsFreeModel(goodOut, nil), "a, b, c")
			require.NoError(t, os.WriteFile(filepath.Join(d, "gen-2.onnx"), nmsFreeModel(nanOut, nil), 0o644))
			return p
		}, nil, "wrong or damaged file"},
		{"fails the smoke run", func(d string) string {
			return genModel(t, d, "2", nmsFreeModel(nanOut, nil), "a, b, c")
		}, nil, "smoke run on a recent camera frame: model gen: nms_free output: none of its 1 boxes is readable"},
		{"input size not the pinned one", func(d string) string {
			return genModel(t, d, "2", nmsFreeModel(goodOut, nil), "a, b, c")
		}, &[2]int{416, 416}, "model input is 64x32 but model.expect_input pins 416x416: refused"},
		{"manifest missing", func(d string) string { return filepath.Join(d, "none.yaml") }, nil, "read model manifest"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.Metrics = newMetrics()
			cfg.ExpectInput = tc.expect
			mgr, st := newTestManager(t, cfg, v1)
			black := frame(t, 0)
			_, err := mgr.Detect(black)
			require.NoError(t, err)

			err = mgr.Install(context.Background(), Target{Manifest: tc.make(t.TempDir()), AssignmentID: "a2"})
			require.ErrorContains(t, err, tc.want)
			require.False(t, mgr.Busy())
			last := st.last()
			require.Equal(t, stateFailed, last.GetState())
			require.Contains(t, last.GetReason(), tc.want)
			require.Equal(t, "1", last.GetRunning().GetVersion())
			require.Equal(t, 1.0, value(t, cfg.Metrics.failures))
			require.Equal(t, 0.0, value(t, cfg.Metrics.swaps))
			require.NotNil(t, mgr.Refused("a2", last.GetTarget().GetSha256()))

			dets, info, err := mgr.DetectModel(black)
			require.NoError(t, err, "the running model still works")
			require.Equal(t, "1", info.Version)
			require.Len(t, dets, 1)
		})
	}
}

// Before any camera frame, the smoke run uses the bundled test pattern.
func TestSmokeRunWithoutFrameUsesPattern(t *testing.T) {
	dir := t.TempDir()
	v1 := genModel(t, filepath.Join(dir, "v1"), "1", nmsFreeModel(goodOut, nil), "a")
	bright := genModel(t, filepath.Join(dir, "v2"), "2", nmsFreeModel(goodOut, brightCl), "a")
	mgr, _ := newTestManager(t, testConfig(), v1)
	err := mgr.Install(context.Background(), Target{Manifest: bright})
	require.ErrorContains(t, err, "smoke run on the test pattern")
	require.Equal(t, "1", mgr.Info().Version)
}

// A model that passes the smoke run but fails at run time is rolled back
// once its failures exceed the allowed share of the window; the old model
// takes the next frame, and the same assignment is not tried again.
func TestRollbackOnRunTimeErrors(t *testing.T) {
	dir := t.TempDir()
	v1 := genModel(t, filepath.Join(dir, "v1"), "1", nmsFreeModel(goodOut, nil), "a")
	flaky := genModel(t, filepath.Join(dir, "v2"), "2", nmsFreeModel(goodOut, brightCl), "a")
	cfg := testConfig()
	cfg.Metrics = newMetrics()
	mgr, st := newTestManager(t, cfg, v1)
	black, white := frame(t, 0), frame(t, 255)
	_, err := mgr.Detect(black) // the reference frame: the flaky model passes on it
	require.NoError(t, err)

	require.NoError(t, mgr.Install(context.Background(), Target{Manifest: flaky, AssignmentID: "a3", MaxErrorRate: 0.25}))
	flakySHA := mgr.Info().SHA256
	_, info, err := mgr.DetectModel(black)
	require.NoError(t, err)
	require.Equal(t, "2", info.Version)
	// 0.25 of a window of 4 allows one failure; the second rolls back.
	_, info, err = mgr.DetectModel(white)
	require.Error(t, err)
	require.Equal(t, "2", info.Version, "the failed frame names the model that failed")
	require.True(t, mgr.Busy())
	_, info, err = mgr.DetectModel(white)
	require.Error(t, err)
	require.Equal(t, "2", info.Version)

	require.False(t, mgr.Busy())
	require.Equal(t, "1", mgr.Info().Version)
	last := st.last()
	require.Equal(t, stateRolledBack, last.GetState())
	require.Equal(t, "2", last.GetTarget().GetVersion())
	require.Equal(t, "1", last.GetRunning().GetVersion())
	require.Contains(t, last.GetReason(), "run-time errors on probation: 2 of the last 3 inferences failed, above the allowed 25%")
	require.Contains(t, last.GetReason(), "none of its 1 boxes is readable")
	require.Equal(t, 1.0, value(t, cfg.Metrics.rollbacks))
	require.NotNil(t, mgr.Refused("a3", flakySHA))

	dets, info, err := mgr.DetectModel(white)
	require.NoError(t, err, "the old model runs again")
	require.Equal(t, "1", info.Version)
	require.Len(t, dets, 1)
}

// Rules whose classes a new model lacks are switched off and reported, not
// a crash; a later model with the class switches them on again.
func TestRulesSwitchOffAndBackOn(t *testing.T) {
	dir := t.TempDir()
	v1 := genModel(t, filepath.Join(dir, "v1"), "1", nmsFreeModel(goodOut, nil), "person, cart, c")
	v2 := genModel(t, filepath.Join(dir, "v2"), "2", nmsFreeModel(goodOut, nil), "dog, cat")
	v3 := genModel(t, filepath.Join(dir, "v3"), "3", nmsFreeModel(goodOut, nil), "person, dog")
	cfg := testConfig()
	cfg.Metrics = newMetrics()
	cfg.Rules = []RuleClasses{
		{Camera: "cam1", Zone: "z1", Rule: "vending", Classes: []string{"person", "cart"}},
		{Camera: "cam1", Zone: "z2", Rule: "structure"}, // persistent change: no classes
		{Camera: "cam2", Zone: "z1", Rule: "dogs", Classes: []string{"dog"}},
	}
	mgr, st := newTestManager(t, cfg, v1)
	require.Equal(t, []string{"cam2/z1/dogs"}, mgr.RulesOff())
	black := frame(t, 0)

	install := func(path string) {
		t.Helper()
		require.NoError(t, mgr.Install(context.Background(), Target{Manifest: path}))
		for range cfg.ErrorWindow {
			_, err := mgr.Detect(black)
			require.NoError(t, err)
		}
		require.False(t, mgr.Busy())
	}
	install(v2)
	require.Equal(t, []string{"cam1/z1/vending"}, mgr.RulesOff())
	require.Contains(t, st.last().GetReason(), "rules switched off, the model has none of their classes: cam1/z1/vending (classes person, cart)")
	require.Equal(t, 1.0, value(t, cfg.Metrics.rulesOff))
	install(v3)
	require.Empty(t, mgr.RulesOff())
	require.Empty(t, st.last().GetReason())
	require.Equal(t, 0.0, value(t, cfg.Metrics.rulesOff))
}

func TestRulesOff(t *testing.T) {
	rules := []RuleClasses{
		{Rule: "any", Classes: []string{"a", "b"}},
		{Rule: "none"},
		{Rule: "b", Classes: []string{"b"}},
		// Configured without classes, resolved to chair on the start
		// model: off only when a model has none of the type's defaults.
		{Rule: "vending", Type: "street_vending", Classes: []string{"chair"}, Defaults: true},
	}
	cases := []struct {
		classes []string
		want    []string
	}{
		{[]string{"a", "b", "chair"}, nil},
		{[]string{"a", "umbrella"}, []string{"b"}},
		{[]string{"c"}, []string{"any", "b", "vending"}},
		{nil, []string{"any", "b", "vending"}},
	}
	for _, tc := range cases {
		var got []string
		for _, r := range rulesOff(rules, tc.classes) {
			got = append(got, r.Rule)
		}
		require.Equal(t, tc.want, got, "classes %v", tc.classes)
	}
}
