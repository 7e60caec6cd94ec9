package app

import (
	"crypto/ed25519"
	"net/http"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/internal/smalldisk"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// TestHealthSaysTheDiskIsFull: on a full disk (a 16 MiB tmpfs, filled)
// /healthz answers 503 saying so while an upload is refused; once there is
// room again it answers 200 and the same report is stored, once.
func TestHealthSaysTheDiskIsFull(t *testing.T) {
	cfg := testConfig(smalldisk.Mount(t, 16<<20))
	cfg.Limits.MaxEvidenceBytes = 1 << 20
	srv := start(t, cfg)
	base := "http://" + srv.app.HTTPAddr()
	r, _ := httpGet(t, base+"/healthz")
	require.Equal(t, http.StatusOK, r.StatusCode)

	filler := smalldisk.Fill(t, cfg.DataDir, "filler")
	r, body := httpGet(t, base+"/healthz")
	require.Equal(t, http.StatusServiceUnavailable, r.StatusCode)
	require.Contains(t, string(body), "disk full")
	require.NotContains(t, string(body), cfg.DataDir, "a public page shows a server path")

	client := dial(t, srv.app.GRPCAddr(), nil)
	key := ed25519.NewKeyFromSeed(make([]byte, 32))
	pic := evFile{name: "snapshot.jpg", kind: xiuhuav1.EvidenceKind_EVIDENCE_KIND_SNAPSHOT, data: make([]byte, 256<<10)}
	_, err := sendReport(t, client, key, "ev-full", pic)
	require.Error(t, err, "stored on a full disk?")

	require.NoError(t, os.Remove(filler))
	r, _ = httpGet(t, base+"/healthz")
	require.Equal(t, http.StatusOK, r.StatusCode)
	resp, err := sendReport(t, client, key, "ev-full", pic)
	require.NoError(t, err)
	require.False(t, resp.GetDuplicate())
}
