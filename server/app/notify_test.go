package app

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/config"
	"github.com/xiuhua/xiuhua/server/notify"
	"github.com/xiuhua/xiuhua/server/store"
)

// TestNotifyWiring configures a webhook and checks that a case the server
// opens reaches it, signed with the key from the secret file.
func TestNotifyWiring(t *testing.T) {
	var (
		mu  sync.Mutex
		got []cases.Event
	)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if !notify.Verify([]byte("wiring-key"), r.Header.Get(notify.HeaderTimestamp), body, r.Header.Get(notify.HeaderSignature)) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var e cases.Event
		if json.Unmarshal(body, &e) != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		mu.Lock()
		got = append(got, e)
		mu.Unlock()
	}))
	defer rcv.Close()

	dir := t.TempDir()
	secretFile := filepath.Join(dir, "hook.secret")
	require.NoError(t, os.WriteFile(secretFile, []byte("wiring-key\n"), 0o600))
	cfg := testConfig(dir)
	cfg.Notify.Webhooks = []config.Webhook{{URL: rcv.URL, SecretFile: secretFile}}
	srv := start(t, cfg)

	caseID, _, err := srv.app.cases.Record(context.Background(), &store.Report{EventID: "ev-n1", DeviceID: "edge-01",
		CameraID: "cam-1", ZoneID: "z", RuleID: "r", ViolationType: "demo_linger", ObservedAt: time.Now()})
	require.NoError(t, err)
	deadline := time.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n > 0 {
			break
		}
		require.False(t, time.Now().After(deadline), "no webhook call within 30 s")
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, got, 1)
	require.Equal(t, cases.EventCreated, got[0].Event)
	require.Equal(t, caseID, got[0].Case.ID)
}

func TestNotifyMissingSecretRefused(t *testing.T) {
	cfg := testConfig(t.TempDir())
	cfg.Notify.Webhooks = []config.Webhook{{URL: "http://127.0.0.1:1/", SecretEnv: "XIUHUA_TEST_UNSET_SECRET"}}
	_, err := New(cfg, WithLogger(quietLogger()))
	require.EqualError(t, err, `notify.webhooks[0].secret_env: invalid value "XIUHUA_TEST_UNSET_SECRET": allowed: the name of a set, non-empty environment variable`)
}
