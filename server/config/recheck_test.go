package config

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/internal/conf"
)

func TestRecheckDefaultsAndFile(t *testing.T) {
	d := Default().Recheck
	require.True(t, d.Enabled)
	require.Equal(t, 2*time.Minute, d.Timeout.D())
	require.Equal(t, 20*time.Second, d.Look.D())

	path := filepath.Join(t.TempDir(), "server.yaml")
	require.NoError(t, os.WriteFile(path, []byte("recheck:\n  enabled: false\n  timeout: 5m\n  look: 30s\n"), 0o600))
	cfg, err := Load(path)
	require.NoError(t, err)
	require.NoError(t, cfg.Validate())
	require.Equal(t, Recheck{Enabled: false, Timeout: conf.Duration(5 * time.Minute), Look: conf.Duration(30 * time.Second),
		Resend: d.Resend, Poll: d.Poll}, cfg.Recheck)
}

func TestRecheckInvalid(t *testing.T) {
	tests := []struct {
		name string
		set  func(r *Recheck)
		want string
	}{
		{"timeout too short", func(r *Recheck) { r.Timeout = conf.Duration(time.Second) },
			`recheck.timeout: invalid value "1s": allowed: a duration from 10s to 24h0m0s`},
		{"look zero", func(r *Recheck) { r.Look = 0 },
			`recheck.look: invalid value "0s": allowed: a duration from 1s to 10m0s`},
		{"look not shorter than timeout", func(r *Recheck) { r.Look = conf.Duration(2 * time.Minute) },
			`recheck.look: invalid value "2m0s": allowed: a duration shorter than recheck.timeout (2m0s)`},
		{"resend zero", func(r *Recheck) { r.Resend = 0 },
			`recheck.resend: invalid value "0s": allowed: a duration from 1s to 1h0m0s`},
		{"poll too fast", func(r *Recheck) { r.Poll = conf.Duration(time.Millisecond) },
			`recheck.poll: invalid value "1ms": allowed: a duration from 100ms to 1m0s`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Default()
			tc.set(&cfg.Recheck)
			err := cfg.Validate()
			require.Error(t, err)
			require.Equal(t, tc.want, err.Error())
		})
	}
}
