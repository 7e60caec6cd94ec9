package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/config"
	"github.com/xiuhua/xiuhua/server/store"
)

// TestMetricsHideWebhookCredentials: /metrics, open to the scraper, names
// an unnamed webhook by its URL without the user, password or query.
func TestMetricsHideWebhookCredentials(t *testing.T) {
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "hook.secret")
	require.NoError(t, os.WriteFile(secretFile, []byte("k\n"), 0o600))
	cfg := testConfig(dir)
	// Nothing listens on port 1: deliveries fail, and the failure is counted.
	cfg.Notify.Webhooks = []config.Webhook{{URL: "http://ops:pa55word@127.0.0.1:1/hook?token=t0ken", SecretFile: secretFile}}
	srv := start(t, cfg)
	_, _, err := srv.app.cases.Record(context.Background(), &store.Report{EventID: "ev-m1", DeviceID: "edge-01",
		CameraID: "cam-1", ZoneID: "z", RuleID: "r", ViolationType: "demo_linger", ObservedAt: time.Now()})
	require.NoError(t, err)
	var body string
	require.Eventually(t, func() bool {
		_, b := httpGet(t, "http://"+srv.app.HTTPAddr()+"/metrics")
		body = string(b)
		return strings.Contains(body, `xiuhua_notify_failed_total{sink="webhook:http://127.0.0.1:1/hook"}`)
	}, 60*time.Second, 100*time.Millisecond)
	require.NotContains(t, body, "pa55word")
	require.NotContains(t, body, "t0ken")
}
