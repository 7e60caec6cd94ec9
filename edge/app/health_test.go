package app

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/xiuhua/xiuhua/edge/outbox"
	"github.com/xiuhua/xiuhua/internal/smalldisk"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// TestHealthAndHeartbeatSayTheDiskIsFull: while the outbox's disk is full,
// /healthz answers 503 saying so and heartbeats carry disk_full.
func TestHealthAndHeartbeatSayTheDiskIsFull(t *testing.T) {
	disk := smalldisk.Mount(t, 1<<20)
	ob, err := outbox.Open(filepath.Join(disk, "outbox"), nil, nil)
	require.NoError(t, err)
	defer ob.Close()
	h := httpHandler(prometheus.NewRegistry(), nil, nil, nil, ob)
	get := func() (int, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
		return rec.Code, rec.Body.String()
	}
	code, _ := get()
	require.Equal(t, http.StatusOK, code)
	require.False(t, heartbeat(nil, nil, ob).GetDiskFull())

	smalldisk.Fill(t, disk, "filler")
	rep := &xiuhuav1.ViolationReport{EventId: "ev-1", DeviceId: "d", CameraId: "c", ObservedAt: timestamppb.Now()}
	err = ob.Put(rep, []outbox.File{{Name: "clip.mp4", Kind: xiuhuav1.EvidenceKind_EVIDENCE_KIND_CLIP, Data: bytes.Repeat([]byte("x"), 64<<10)}})
	require.Error(t, err, "nothing to shed, and no room")
	code, body := get()
	require.Equal(t, http.StatusServiceUnavailable, code)
	require.Contains(t, body, "outbox disk full")
	hb := heartbeat(nil, nil, ob)
	require.True(t, hb.GetDiskFull())
	require.Contains(t, hb.GetDiskFullDetail(), "no space left")
}
