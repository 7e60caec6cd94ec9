package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/edge/outbox"
	"github.com/xiuhua/xiuhua/internal/smalldisk"
	"github.com/xiuhua/xiuhua/server/store/postgres/pgtest"
)

// The fault tests: each breaks the system the way the field does (kill -9,
// a cut database link, full disks), lets it recover by itself, and counts
// by event id that nothing was lost and nothing stored twice.

// TestFaultKillMidUpload: the server and the edge are each SIGKILLed three
// times while a report is being uploaded (the link is slowed to 2 MiB/s, and
// every kill waits for evidence bytes to be flowing), and started again as
// systemd would. Every event arrives exactly once.
func TestFaultKillMidUpload(t *testing.T) {
	dir := t.TempDir()
	r := newFaultRig(t, filepath.Join(dir, "srv"), filepath.Join(dir, "edge"), "", 2<<20)
	ids := r.put(8, 1<<20)
	r.startEdge()
	for k := range 6 {
		require.True(t, r.link.waitUpload(128<<10, waitBound), "kill %d: no upload under way", k)
		if k%2 == 0 {
			kill(t, r.server)
			r.restartServer()
		} else {
			kill(t, r.edge)
			r.startEdge()
		}
	}
	r.delivered(ids)
}

// TestFaultDatabaseCut: the server's PostgreSQL connection is cut while
// reports arrive; /healthz says so, the edge's deliveries fail and are
// retried, and when the link is back the same server process (never
// restarted) stores every event once.
func TestFaultDatabaseCut(t *testing.T) {
	dsn, err := url.Parse(pgtest.Schema(t))
	require.NoError(t, err)
	db := startTCPProxy(t, dsn.Host, 0)
	dsn.Host = db.addr()
	dir := t.TempDir()
	r := newFaultRig(t, filepath.Join(dir, "srv"), filepath.Join(dir, "edge"),
		fmt.Sprintf("store: {driver: postgres, dsn: %q}\n", dsn.String()), 512<<10)
	ids := r.put(10, 128<<10)
	r.startEdge()
	waitFor(t, "some events delivered before the cut", func() bool { return len(r.reports()) >= 2 })

	db.setCut(true)
	waitFor(t, "/healthz to say the database is away", func() bool { return r.health() == http.StatusServiceUnavailable })
	waitFor(t, "a delivery to fail during the cut", func() bool { return r.edgeSaid("delivery failed") })
	db.setCut(false)
	waitFor(t, "/healthz to recover", func() bool { return r.health() == http.StatusOK })
	r.delivered(ids)
	select {
	case <-r.server.done:
		t.Fatalf("the server exited during the cut: %v", r.server.err)
	default:
	}
}

// TestFaultDisksFull: the edge's data folder (a 3 MiB tmpfs) fills while
// the server is away: no violation is refused, old clips are shed. Then the
// server's disk (a 32 MiB tmpfs, database and evidence) is full: /healthz
// says so and uploads are refused and retried. When room is made, every
// event arrives exactly once, with neither process restarted.
func TestFaultDisksFull(t *testing.T) {
	edgeDisk := smalldisk.Mount(t, 3<<20)
	serverDisk := smalldisk.Mount(t, 32<<20)
	r := newFaultRig(t, serverDisk, filepath.Join(edgeDisk, "edge"), "limits: {max_evidence_bytes: 1048576}\n", 0)

	ids := r.put(30, 200<<10) // about 7 MiB of evidence for 3 MiB
	ob, err := outbox.Open(filepath.Join(r.edgeDir, "outbox"), nil, nil)
	require.NoError(t, err)
	n, _, _ := ob.Stats()
	oldest, err := ob.Load(ids[0])
	require.NoError(t, err)
	newest, err := ob.Load(ids[len(ids)-1])
	require.NoError(t, err)
	require.NoError(t, ob.Close())
	require.Equal(t, len(ids), n, "violations lost to the full edge disk")
	require.Len(t, oldest.Evidence, 1, "the oldest clip was kept: the disk never filled, the test tests nothing")
	require.Len(t, newest.Evidence, 2, "the newest violation lost its clip")

	filler := smalldisk.Fill(t, serverDisk, "filler")
	waitFor(t, "/healthz to say the disk is full", func() bool { return r.health() == http.StatusServiceUnavailable })
	r.startEdge()
	waitFor(t, "a delivery refused for the full disk", func() bool { return r.edgeSaid("delivery failed") })
	require.NoError(t, os.Remove(filler))
	waitFor(t, "/healthz to recover", func() bool { return r.health() == http.StatusOK })
	r.delivered(ids)
	select {
	case <-r.server.done:
		t.Fatalf("the server exited on the full disk: %v", r.server.err)
	default:
	}
}
