package modelswap

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// A model that passes probation is recorded durably, and a manager started
// from the record runs it: the restart does not fall back to the first
// model.
func TestCommittedSwapIsRememberedForNextStart(t *testing.T) {
	dir := t.TempDir()
	models := filepath.Join(dir, "data", "models")
	v1 := yoloxModel(t, filepath.Join(dir, "configured"), "1")
	v2 := yoloxModel(t, filepath.Join(models, "yolox-nano", "2"), "2")
	record := filepath.Join(models, ActiveFile)
	cfg := testConfig()
	cfg.Record = record
	mgr, st := newTestManager(t, cfg, v1)
	black := frame(t, 0)

	require.NoError(t, mgr.Install(context.Background(), Target{Manifest: v2, AssignmentID: "a1"}))
	require.Equal(t, stateProbation, st.last().GetState())
	require.NoFileExists(t, record, "a model on probation is not remembered yet")
	for range cfg.ErrorWindow {
		_, err := mgr.Detect(black)
		require.NoError(t, err)
	}
	require.Equal(t, stateActive, st.last().GetState())

	raw, err := os.ReadFile(record)
	require.NoError(t, err)
	require.Contains(t, string(raw), "manifest: yolox-nano/2/yolox-nano-2.yaml", "inside the models folder the path is relative")
	require.NoFileExists(t, record+".tmp")
	a, err := ReadActive(record)
	require.NoError(t, err)
	require.Equal(t, v2, a.Manifest)
	require.Equal(t, "yolox-nano", a.Name)
	require.Equal(t, "2", a.Version)
	require.Equal(t, mgr.Info().SHA256, a.SHA256)
	require.Equal(t, "a1", a.Assignment)
	require.False(t, a.CommittedAt.IsZero())

	// The next start: the record names the model, which verifies and runs.
	a, man, err := LoadActive(record)
	require.NoError(t, err)
	require.Equal(t, "2", man.Version)
	next, _ := newTestManager(t, testConfig(), a.Manifest)
	require.Equal(t, "2", next.Info().Version)
	_, info, err := next.DetectModel(black)
	require.NoError(t, err)
	require.Equal(t, "2", info.Version)

	// A moved data folder still finds the model (the path is relative).
	moved := filepath.Join(dir, "moved")
	require.NoError(t, os.Rename(filepath.Join(dir, "data"), moved))
	_, man, err = LoadActive(filepath.Join(moved, "models", ActiveFile))
	require.NoError(t, err)
	require.Equal(t, filepath.Join(moved, "models", "yolox-nano", "2"), man.Dir)
}

// A rollback is never remembered: the record keeps naming the last model
// that passed, and with none there is no record.
func TestRollbackIsNotRemembered(t *testing.T) {
	dir := t.TempDir()
	v1 := genModel(t, filepath.Join(dir, "v1"), "1", nmsFreeModel(goodOut, nil), "a")
	v2 := genModel(t, filepath.Join(dir, "v2"), "2", nmsFreeModel(goodOut, nil), "a")
	flaky := genModel(t, filepath.Join(dir, "v3"), "3", nmsFreeModel(goodOut, brightCl), "a")
	black, white := frame(t, 0), frame(t, 255)

	rollBack := func(mgr *Manager, st *statuses) {
		t.Helper()
		require.NoError(t, mgr.Install(context.Background(), Target{Manifest: flaky, AssignmentID: "bad"}))
		for range 2 {
			_, err := mgr.Detect(white)
			require.Error(t, err)
		}
		require.Equal(t, stateRolledBack, st.last().GetState())
	}

	t.Run("no earlier commit", func(t *testing.T) {
		cfg := testConfig()
		cfg.Record = filepath.Join(t.TempDir(), ActiveFile)
		mgr, st := newTestManager(t, cfg, v1)
		_, err := mgr.Detect(black)
		require.NoError(t, err)
		rollBack(mgr, st)
		require.NoFileExists(t, cfg.Record)
		a, err := ReadActive(cfg.Record)
		require.NoError(t, err)
		require.Nil(t, a)
	})
	t.Run("after a commit", func(t *testing.T) {
		cfg := testConfig()
		cfg.Record = filepath.Join(t.TempDir(), ActiveFile)
		mgr, st := newTestManager(t, cfg, v1)
		require.NoError(t, mgr.Install(context.Background(), Target{Manifest: v2, AssignmentID: "good"}))
		for range cfg.ErrorWindow {
			_, err := mgr.Detect(black)
			require.NoError(t, err)
		}
		require.Equal(t, stateActive, st.last().GetState())
		before, err := os.ReadFile(cfg.Record)
		require.NoError(t, err)
		rollBack(mgr, st)
		require.Equal(t, "2", mgr.Info().Version)
		after, err := os.ReadFile(cfg.Record)
		require.NoError(t, err)
		require.Equal(t, string(before), string(after), "the rollback left the record of the model that passed")
		a, err := ReadActive(cfg.Record)
		require.NoError(t, err)
		require.Equal(t, "2", a.Version)
	})
	t.Run("no record kept", func(t *testing.T) {
		cfg := testConfig() // Record empty: local mode
		mgr, st := newTestManager(t, cfg, v1)
		require.NoError(t, mgr.Install(context.Background(), Target{Manifest: v2}))
		for range cfg.ErrorWindow {
			_, err := mgr.Detect(black)
			require.NoError(t, err)
		}
		require.Equal(t, stateActive, st.last().GetState())
		entries, err := os.ReadDir(filepath.Join(dir, "v2"))
		require.NoError(t, err)
		for _, e := range entries {
			require.NotEqual(t, ActiveFile, e.Name())
		}
	})
}

// A record whose model no longer verifies is refused with a reason that
// says what is wrong; no record is no model and no error.
func TestLoadActiveRefusesWhatDoesNotVerify(t *testing.T) {
	cases := []struct {
		name  string
		spoil func(t *testing.T, record, manifest string)
		want  string
	}{
		{"damaged onnx file", func(t *testing.T, _, manifest string) {
			p := filepath.Join(filepath.Dir(manifest), "gen-2.onnx")
			b, err := os.ReadFile(p)
			require.NoError(t, err)
			b[len(b)/2] ^= 0xff
			require.NoError(t, os.WriteFile(p, b, 0o644))
		}, "not the recorded " + sha256Hex(nmsFreeModel(goodOut, nil)) + ": the file is damaged or replaced"},
		{"onnx file gone", func(t *testing.T, _, manifest string) {
			require.NoError(t, os.Remove(filepath.Join(filepath.Dir(manifest), "gen-2.onnx")))
		}, "remembered model gen 2: "},
		{"manifest now another version", func(t *testing.T, _, manifest string) {
			b, err := os.ReadFile(manifest)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(manifest, []byte(strings.Replace(string(b), `version: "2"`, `version: "9"`, 1)), 0o644))
		}, "its manifest "},
		{"manifest gone", func(t *testing.T, _, manifest string) {
			require.NoError(t, os.Remove(manifest))
		}, "remembered model gen 2: read model manifest"},
		{"record not yaml", func(t *testing.T, record, _ string) {
			require.NoError(t, os.WriteFile(record, []byte("manifest: [\n"), 0o644))
		}, "active model record "},
		{"record without sha256", func(t *testing.T, record, _ string) {
			require.NoError(t, os.WriteFile(record, []byte("manifest: x.yaml\nname: gen\nversion: \"2\"\n"), 0o644))
		}, "want manifest, name, version and a sha256"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			manifest := genModel(t, filepath.Join(dir, "gen", "2"), "2", nmsFreeModel(goodOut, nil), "a")
			record := filepath.Join(dir, ActiveFile)
			require.NoError(t, WriteActive(record, Active{Manifest: manifest, Name: "gen", Version: "2", SHA256: sha256Hex(nmsFreeModel(goodOut, nil))}))
			_, m, err := LoadActive(record)
			require.NoError(t, err, "intact before it is spoilt")
			require.Equal(t, "2", m.Version)

			tc.spoil(t, record, manifest)
			_, m, err = LoadActive(record)
			require.ErrorContains(t, err, tc.want)
			require.Nil(t, m)
		})
	}

	a, m, err := LoadActive(filepath.Join(t.TempDir(), ActiveFile))
	require.NoError(t, err, "no record is not an error")
	require.Nil(t, a)
	require.Nil(t, m)
}

func TestClearActive(t *testing.T) {
	record := filepath.Join(t.TempDir(), ActiveFile)
	removed, err := ClearActive(record)
	require.NoError(t, err)
	require.False(t, removed)
	require.NoError(t, WriteActive(record, Active{Manifest: "/m.yaml", Name: "n", Version: "1", SHA256: strings.Repeat("a", 64)}))
	removed, err = ClearActive(record)
	require.NoError(t, err)
	require.True(t, removed)
	require.NoFileExists(t, record)
}
