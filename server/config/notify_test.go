package config

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/internal/conf"
)

func TestLoadNotify(t *testing.T) {
	cfg, err := Load("testdata/notify.good.yml")
	require.NoError(t, err)
	require.NoError(t, cfg.Validate())
	require.Equal(t, Notify{
		Webhooks: []Webhook{
			{URL: "https://city-platform.example/xiuhua/events", SecretEnv: "XIUHUA_WEBHOOK_SECRET",
				Events: []string{"created", "transitioned"}, Timeout: conf.Duration(5 * time.Second)},
			{Name: "audit-archive", URL: "http://archive.internal:8000/hook", SecretFile: "/etc/xiuhua/archive.secret"},
		},
		MQTT: &MQTT{Broker: "tcp://127.0.0.1:1883", TopicPrefix: "xiuhua", QoS: 1, ClientID: "xiuhua-server-1",
			Username: "xiuhua", PasswordEnv: "XIUHUA_MQTT_PASSWORD"},
		Retry: Retry{Base: conf.Duration(2 * time.Second), Max: conf.Duration(10 * time.Minute)},
	}, cfg.Notify)
	require.True(t, cfg.Notify.Enabled())
	require.False(t, Default().Notify.Enabled())
	require.Equal(t, "webhook:https://city-platform.example/xiuhua/events", cfg.Notify.Webhooks[0].SinkName())
	require.Equal(t, "audit-archive", cfg.Notify.Webhooks[1].SinkName())
	require.Equal(t, "mqtt:tcp://127.0.0.1:1883", cfg.Notify.MQTT.SinkName())
}

func TestWebhookSecret(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good")
	require.NoError(t, os.WriteFile(good, []byte("k3y\n"), 0o600))
	empty := filepath.Join(dir, "empty")
	require.NoError(t, os.WriteFile(empty, []byte("\n"), 0o600))
	env := map[string]string{"SET": "from-env", "EMPTY": ""}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	for _, tc := range []struct {
		name    string
		w       Webhook
		want    string
		wantErr string
	}{
		{"env", Webhook{SecretEnv: "SET"}, "from-env", ""},
		{"file without newline", Webhook{SecretFile: good}, "k3y", ""},
		{"env unset", Webhook{SecretEnv: "UNSET"}, "", `w.secret_env: invalid value "UNSET": allowed: the name of a set, non-empty environment variable`},
		{"env empty", Webhook{SecretEnv: "EMPTY"}, "", `w.secret_env: invalid value "EMPTY": allowed: the name of a set, non-empty environment variable`},
		{"file empty", Webhook{SecretFile: empty}, "", `w.secret_file: invalid value "` + empty + `": allowed: a readable, non-empty file`},
		{"file missing", Webhook{SecretFile: dir + "/none"}, "", `w.secret_file: invalid value "` + dir + `/none": allowed: a readable, non-empty file`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.w.Secret("w", lookup)
			if tc.wantErr != "" {
				require.EqualError(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, string(got))
		})
	}
}
