package app

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/edge/config"
	"github.com/xiuhua/xiuhua/edge/modelswap"
	"github.com/xiuhua/xiuhua/internal/testdata"
)

// testYolox copies the real test model into dir under a manifest of the
// given version; otherClasses renames its 80 classes so that no rule
// default is among them. It returns the manifest's path.
func testYolox(t *testing.T, dir, version string, otherClasses bool) string {
	t.Helper()
	require.NoError(t, os.MkdirAll(dir, 0o755))
	for _, f := range []string{"yolox_nano.onnx", "coco_classes.txt"} {
		in, err := os.Open(testdata.Path(t, "models", f))
		require.NoError(t, err)
		out, err := os.Create(filepath.Join(dir, f))
		require.NoError(t, err)
		_, err = io.Copy(out, in)
		require.NoError(t, err)
		require.NoError(t, out.Close())
		require.NoError(t, in.Close())
	}
	root, err := testdata.RepoRoot()
	require.NoError(t, err)
	b, err := os.ReadFile(filepath.Join(root, "models", "yolox-nano.yaml"))
	require.NoError(t, err)
	text := strings.Replace(string(b), `version: "0.1.1"`, `version: "`+version+`"`, 1)
	require.Contains(t, text, `version: "`+version+`"`)
	if otherClasses {
		var names []string
		for i := range 80 {
			names = append(names, fmt.Sprintf("thing%d", i))
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, "other.txt"), []byte(strings.Join(names, "\n")+"\n"), 0o644))
		text = strings.Replace(text, "classes_file: coco_classes.txt", "classes_file: other.txt", 1)
		require.Contains(t, text, "classes_file: other.txt")
	}
	p := filepath.Join(dir, "manifest.yaml")
	require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
	return p
}

// startConfig is an edge config on the configured model v1 with one
// street_vending rule that takes its classes from the model.
func startConfig(t *testing.T) *config.Config {
	t.Helper()
	dir := t.TempDir()
	cfg := &config.Config{}
	cfg.Device.DataDir = filepath.Join(dir, "data")
	cfg.Model.Manifest = testYolox(t, filepath.Join(dir, "configured"), "1", false)
	cfg.Model.Threads = 1
	cfg.Cameras = []config.Camera{{ID: "cam1", Zones: []config.Zone{{ID: "z1", Rules: []config.Rule{{ID: "r1", Type: "street_vending"}}}}}}
	return cfg
}

// remember puts model version into the data folder as a download would and
// records it as the model that last passed probation.
func remember(t *testing.T, cfg *config.Config, version string, otherClasses bool) string {
	t.Helper()
	p := testYolox(t, filepath.Join(cfg.Device.DataDir, "models", "yolox-nano", version), version, otherClasses)
	sum := "695e750a5d5754bb5a8d5325643b59282191a7e7a564e435a415fd3c578eab14" // models/yolox-nano.yaml
	require.NoError(t, modelswap.WriteActive(activeRecord(cfg), modelswap.Active{Manifest: p, Name: "yolox-nano", Version: version, SHA256: sum}))
	return p
}

func TestStartModel(t *testing.T) {
	cases := []struct {
		name    string
		prepare func(t *testing.T, cfg *config.Config)
		want    string // the version started on
		log     string // in the log
		record  bool   // the record is still there afterwards
	}{
		{"no record", func(*testing.T, *config.Config) {}, "1", "", false},
		{"remembered model", func(t *testing.T, cfg *config.Config) {
			remember(t, cfg, "2", false)
		}, "2", "starting on the model remembered from the last swap", true},
		{"remembered file damaged", func(t *testing.T, cfg *config.Config) {
			p := remember(t, cfg, "2", false)
			onnx := filepath.Join(filepath.Dir(p), "yolox_nano.onnx")
			f, err := os.OpenFile(onnx, os.O_WRONLY, 0)
			require.NoError(t, err)
			_, err = f.WriteAt([]byte("garbage"), 1000)
			require.NoError(t, err)
			require.NoError(t, f.Close())
		}, "1", "remembered model not used; starting on the configured model", true},
		{"remembered classes miss a rule", func(t *testing.T, cfg *config.Config) {
			remember(t, cfg, "2", true)
		}, "1", "its classes do not cover the configured rules", true},
		{"remembered input not the pinned size", func(t *testing.T, cfg *config.Config) {
			remember(t, cfg, "2", false)
			// Pinned to the configured model's size but the record's is
			// the same model: pin another size on the record's copy only.
			p := filepath.Join(cfg.Device.DataDir, "models", "yolox-nano", "2", "manifest.yaml")
			b, err := os.ReadFile(p)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(p, bytes.Replace(b, []byte("width: 416"), []byte("width: 320"), 1), 0o644))
			cfg.Model.ExpectInput = &config.InputSize{Width: 416, Height: 416}
		}, "1", "model.expect_input", true},
		{"local mode forgets the record", func(t *testing.T, cfg *config.Config) {
			remember(t, cfg, "2", false)
			cfg.Model.Watch = true
		}, "1", "local mode: forgot the model remembered from a server assignment", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := startConfig(t)
			tc.prepare(t, cfg)
			var logs bytes.Buffer
			det, m, err := openStartModel(cfg, slog.New(slog.NewTextHandler(&logs, nil)))
			require.NoError(t, err)
			t.Cleanup(func() { require.NoError(t, det.Close()) })
			require.Equal(t, tc.want, det.Info().Version)
			require.Equal(t, tc.want, m.Version)
			if tc.log != "" {
				require.Contains(t, logs.String(), tc.log)
			}
			if tc.name == "remembered file damaged" {
				require.Contains(t, logs.String(), "the file is damaged or replaced", "the reason is logged")
			}
			// Rule classes were resolved once, against the model started on.
			// A refused record leaves them to the configured model.
			require.Contains(t, cfg.Cameras[0].Zones[0].Rules[0].Classes, "umbrella")
			require.NotContains(t, cfg.Cameras[0].Zones[0].Rules[0].Classes, "thing0")
			if tc.record {
				require.FileExists(t, activeRecord(cfg))
			} else {
				require.NoFileExists(t, activeRecord(cfg))
			}
		})
	}
}
