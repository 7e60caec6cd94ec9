package e2e

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/internal/testdata"
)

// TestFaultEdgeKilledWhileAClipWaits: the real edge (camsim, the model, a
// linger rule) is SIGKILLed while its first violation waits for the clip's
// ten-second post-roll (the violation is already in the outbox, held).
// Started again, it sends that violation, once, without the clip that went
// with the process.
func TestFaultEdgeKilledWhileAClipWaits(t *testing.T) {
	dir := t.TempDir()
	rtspAddr, httpAddr, grpcAddr, edgeHTTP := freeAddr(t), freeAddr(t), freeAddr(t), freeAddr(t)
	start(t, dir, "camsim", "-listen", rtspAddr, "-stream", "cam1="+testdata.Path(t, "media", "vtest.avi"))
	_, base, tokenFiles := startServer(t, dir, httpAddr, grpcAddr, "", nil, map[string][]string{"edge-c": {"cam1"}})
	edgeCfg := lingerEdge{ID: "edge-c", Dir: dir, GRPC: grpcAddr, HTTP: edgeHTTP, RTSP: rtspAddr,
		TokenFile: tokenFiles["edge-c"], Post: "10s"}.write(t)

	edge := start(t, dir, "edge", "-config", edgeCfg)
	// The violation is on disk, held back from sending, while the
	// post-roll is still to come.
	queue := filepath.Join(dir, "edge", "outbox", "queue")
	var event string
	waitFor(t, "a violation on disk waiting for its clip", func() bool {
		select {
		case <-edge.done:
			t.Fatalf("edge exited: %v\n%s", edge.err, edge.output())
		default:
		}
		held, _ := filepath.Glob(filepath.Join(queue, "*", ".held"))
		if len(held) > 0 {
			event = filepath.Base(filepath.Dir(held[0]))
		}
		return event != ""
	})
	kill(t, edge)
	require.Empty(t, reportsByEvent(t, base)[event], "sent before its clip was cut")

	edge = start(t, dir, "edge", "-config", edgeCfg)
	waitFor(t, "the violation on the server", func() bool { return len(reportsByEvent(t, base)[event]) > 0 })
	reps := reportsByEvent(t, base)[event]
	require.Len(t, reps, 1, "stored twice")
	for _, ev := range reps[0].Evidence {
		require.NotEqual(t, "video/mp4", ev.ContentType, "a clip nobody could cut")
	}
	require.NotEmpty(t, reps[0].Evidence, "the pictures went too")
}
