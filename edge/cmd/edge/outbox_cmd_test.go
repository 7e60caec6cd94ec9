package main

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/edge/outbox"
	"github.com/xiuhua/xiuhua/internal/testdata"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

func TestOutboxListAndRequeue(t *testing.T) {
	root, err := testdata.RepoRoot()
	require.NoError(t, err)
	cfg := filepath.Join(root, "edge", "config", "edge.example.yaml")
	data := t.TempDir()

	ob, err := outbox.Open(filepath.Join(data, "outbox"), nil, nil)
	require.NoError(t, err)
	for _, id := range []string{"ev-1", "ev-2", "ev-3"} {
		require.NoError(t, ob.Put(&xiuhuav1.ViolationReport{EventId: id, DeviceId: "edge-01", CameraId: "cam-9"},
			[]outbox.File{{Name: "snapshot.jpg", Kind: xiuhuav1.EvidenceKind_EVIDENCE_KIND_SNAPSHOT, ContentType: "image/jpeg", Data: []byte("jpeg")}}))
		require.NoError(t, ob.Reject(id, "PermissionDenied: camera cam-9 is not registered to edge-01"))
	}

	// The running node holds the outbox: the command says so.
	code, _, stderr := runCLI("outbox", "list", "-config", cfg, "-data-dir", data)
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "stop the edge node first")
	require.NoError(t, ob.Close())

	code, stdout, stderr := runCLI("outbox", "list", "-config", cfg, "-data-dir", data)
	require.Equal(t, 0, code, stderr)
	require.Equal(t, "ev-1\tPermissionDenied: camera cam-9 is not registered to edge-01\n"+
		"ev-2\tPermissionDenied: camera cam-9 is not registered to edge-01\n"+
		"ev-3\tPermissionDenied: camera cam-9 is not registered to edge-01\n", stdout)

	code, stdout, stderr = runCLI("outbox", "requeue", "-config", cfg, "-data-dir", data, "ev-2", "ev-9")
	require.Equal(t, 1, code, "ev-9 does not exist")
	require.Equal(t, "ev-2\trequeued\n", stdout)
	require.Contains(t, stderr, "ev-9")
	code, stdout, stderr = runCLI("outbox", "requeue", "-config", cfg, "-data-dir", data, "-all")
	require.Equal(t, 0, code, stderr)
	require.Equal(t, "ev-1\trequeued\nev-3\trequeued\n", stdout)

	ob, err = outbox.Open(filepath.Join(data, "outbox"), nil, nil)
	require.NoError(t, err)
	defer ob.Close()
	require.Len(t, ob.Pending(), 3)
	require.Zero(t, ob.DeadCount())

	for _, args := range [][]string{{"outbox"}, {"outbox", "purge"}, {"outbox", "requeue", "-config", cfg}, {"outbox", "list", "ev-1"}} {
		code, _, stderr := runCLI(args...)
		require.Equal(t, 2, code, args)
		require.Contains(t, stderr, "usage: edge outbox", args)
	}
}
