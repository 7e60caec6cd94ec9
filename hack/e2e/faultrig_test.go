package e2e

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/edge/identity"
	"github.com/xiuhua/xiuhua/edge/outbox"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// faultRig is a server process and a mini edge that reaches it through a
// TCP proxy (link), for tests that kill, cut and fill them. The test plays
// systemd: what it kills, it starts again, and nothing else is done to
// help the processes recover.
type faultRig struct {
	t                    *testing.T
	serverDir, serverCfg string
	httpAddr, grpcAddr   string
	base                 string
	server               *proc
	edgeDir              string
	link                 *tcpProxy
	edge                 *proc
	prefix               string
}

// newFaultRig starts the server in serverDir (with extra YAML) and a link
// of rate bytes a second (0: unthrottled) to it; the edge's folder is
// edgeDir, with the device's token. The edge is not started.
func newFaultRig(t *testing.T, serverDir, edgeDir, extra string, rate int) *faultRig {
	t.Helper()
	r := &faultRig{t: t, serverDir: serverDir, edgeDir: edgeDir, httpAddr: freeAddr(t), grpcAddr: freeAddr(t),
		prefix: fmt.Sprintf("flt%d", time.Now().UnixNano())}
	require.NoError(t, os.MkdirAll(serverDir, 0o700))
	var tokens map[string]string
	r.server, r.base, tokens = startServer(t, serverDir, r.httpAddr, r.grpcAddr, extra, nil,
		map[string][]string{miniEdgeDevice: {"cam0", "cam1"}})
	r.serverCfg = filepath.Join(serverDir, "server.yaml")
	tok, err := os.ReadFile(tokens[miniEdgeDevice])
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(edgeDir, 0o700))
	writeFile(t, filepath.Join(edgeDir, "token"), string(tok))
	r.link = startTCPProxy(t, r.grpcAddr, rate)
	return r
}

// put queues n violations in the edge's outbox (the edge must not be
// running), each with a JPEG and a clip of clipBytes random bytes, and
// returns their event ids. Every Put must succeed.
func (r *faultRig) put(n, clipBytes int) []string {
	r.t.Helper()
	id, err := identity.LoadOrCreate(filepath.Join(r.edgeDir, "device.key"))
	require.NoError(r.t, err)
	ob, err := outbox.Open(filepath.Join(r.edgeDir, "outbox"), nil, prometheus.NewRegistry(), outbox.WithSigner(id.Sign))
	require.NoError(r.t, err)
	defer ob.Close()
	var ids []string
	for i := range n {
		rep := syntheticReport(i)
		rep.EventId = fmt.Sprintf("%s-%03d", r.prefix, i)
		rep.DeviceId = miniEdgeDevice
		clip := make([]byte, clipBytes)
		_, _ = rand.Read(clip)
		require.NoError(r.t, ob.Put(rep, []outbox.File{
			{Name: "snapshot.jpg", Kind: xiuhuav1.EvidenceKind_EVIDENCE_KIND_SNAPSHOT, ContentType: "image/jpeg", Data: syntheticJPEG(r.t, i)},
			{Name: "clip.mp4", Kind: xiuhuav1.EvidenceKind_EVIDENCE_KIND_CLIP, ContentType: "video/mp4", Data: clip},
		}), "put %s", rep.EventId)
		ids = append(ids, rep.EventId)
	}
	return ids
}

func (r *faultRig) startEdge() { r.edge = startMiniEdge(r.t, r.edgeDir, r.link.addr()) }

// restartServer starts the server again, as systemd would, and waits for
// it to answer.
func (r *faultRig) restartServer() {
	r.server = start(r.t, r.serverDir, "server", "-config", r.serverCfg)
	waitHTTP(r.t, r.server, r.base+"/healthz")
}

func kill(t *testing.T, p *proc) {
	t.Helper()
	require.NoError(t, p.cmd.Process.Kill())
	<-p.done
}

// health is the server's /healthz status code (0: no answer).
func (r *faultRig) health() int {
	resp, err := http.Get(r.base + "/healthz")
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// waitFor polls cond until it holds; the bound only keeps a broken run
// from hanging the suite, it is no performance budget.
const waitBound = 4 * time.Minute

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitBound)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never happened: %s", what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// reports counts, by event id, the reports the server holds.
func (r *faultRig) reports() map[string]int {
	r.t.Helper()
	got := map[string]int{}
	for id, reps := range reportsByEvent(r.t, r.base) {
		got[id] = len(reps)
	}
	return got
}

// reportsByEvent lists the reports the server at base holds, by event id.
func reportsByEvent(t *testing.T, base string) map[string][]apiReport {
	t.Helper()
	got := map[string][]apiReport{}
	for _, c := range allCases(t, base) {
		var d apiCaseDetail
		getJSON(t, base+"/api/v1/cases/"+c.ID, &d)
		for _, rep := range d.Reports {
			got[rep.EventID] = append(got[rep.EventID], rep)
		}
	}
	return got
}

// delivered waits until the server holds every id, then checks that it
// holds each exactly once and nothing else, that the edge's outbox is
// empty and that nothing was set aside in dead/. It stops the edge.
func (r *faultRig) delivered(ids []string) {
	r.t.Helper()
	var got map[string]int
	waitFor(r.t, "every event on the server", func() bool {
		got = r.reports()
		for _, id := range ids {
			if got[id] == 0 {
				return false
			}
		}
		return true
	})
	want := map[string]int{}
	for _, id := range ids {
		want[id] = 1
	}
	require.Equal(r.t, want, got, "lost or duplicated events (by event id)")
	require.NoError(r.t, r.edge.stop(r.t))
	ob, err := outbox.Open(filepath.Join(r.edgeDir, "outbox"), nil, nil)
	require.NoError(r.t, err)
	defer ob.Close()
	n, _, _ := ob.Stats()
	require.Zero(r.t, n, "the outbox kept delivered events")
	require.Zero(r.t, ob.DeadCount(), "events were set aside as refused")
}

// edgeSaid reports whether the edge's log has s in it.
func (r *faultRig) edgeSaid(s string) bool { return strings.Contains(r.edge.output(), s) }
