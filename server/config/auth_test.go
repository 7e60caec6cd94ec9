package config

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestAdminPasswordFromEnv: the first admin's password comes only from the
// environment, and a bad one is named without being shown.
func TestAdminPasswordFromEnv(t *testing.T) {
	for _, tc := range []struct {
		name, value, want string
	}{
		{"good", "a long enough password", ""},
		{"short", "short", `XIUHUA_ADMIN_PASSWORD: invalid value "(hidden)": allowed: 10 to 72 bytes`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Default()
			cfg.ApplyEnv(func(k string) (string, bool) { return tc.value, k == "XIUHUA_ADMIN_PASSWORD" })
			require.Equal(t, tc.value, cfg.Auth.AdminPassword)
			err := cfg.Validate()
			if tc.want == "" {
				require.NoError(t, err)
				return
			}
			require.EqualError(t, err, tc.want)
			require.NotContains(t, err.Error(), tc.value)
		})
	}
}

func TestDevicesOpenOnLoopback(t *testing.T) {
	cfg := Default()
	cfg.ApplyEnv(func(k string) (string, bool) { return "open", k == "XIUHUA_AUTH_DEVICES" })
	require.NoError(t, cfg.Validate(), "the default grpc.listen is loopback")
}
