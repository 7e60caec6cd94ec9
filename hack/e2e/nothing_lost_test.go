package e2e

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/xiuhua/xiuhua/edge/identity"
	"github.com/xiuhua/xiuhua/edge/outbox"
	"github.com/xiuhua/xiuhua/edge/uplink"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
	"github.com/xiuhua/xiuhua/server/app"
	serverconfig "github.com/xiuhua/xiuhua/server/config"
)

// TestNothingLost: the edge produces N violations while the server is down
// and is restarted once while they wait; when the server comes up behind a
// link that loses every first acknowledgement, exactly N cases arrive, the
// outbox empties, and nothing was stored twice.
func TestNothingLost(t *testing.T) {
	const n = 6
	dir := t.TempDir()
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	edgeAddr := freeAddr(t) // where the edge expects the server; nothing listens yet

	id, err := identity.LoadOrCreate(filepath.Join(dir, "edge", "device.key"))
	require.NoError(t, err)
	obDir := filepath.Join(dir, "edge", "outbox")
	// The server registers the device before it first runs, as an operator
	// would with `server device add`; the edge reads the token from a file.
	tokenFile := filepath.Join(dir, "edge", "token")
	cfg := serverconfig.Default()
	cfg.HTTP.Listen, cfg.GRPC.Listen, cfg.DataDir = "127.0.0.1:0", "127.0.0.1:0", filepath.Join(dir, "server")
	svc, closer, err := app.OpenAuth(context.Background(), cfg)
	require.NoError(t, err)
	deviceToken, err := svc.AddDevice(context.Background(), "edge-nl", nil)
	require.NoError(t, err)
	require.NoError(t, closer.Close())
	require.NoError(t, os.WriteFile(tokenFile, []byte(deviceToken), 0o600))
	upCfg := uplink.Config{ServerAddr: edgeAddr, TLS: uplink.TLSConfig{Insecure: true}, DeviceID: "edge-nl", TokenFile: tokenFile,
		RetryMin: 100 * time.Millisecond, RetryMax: time.Second, HeartbeatInterval: time.Second, RescanInterval: time.Second}

	// runEdge starts an outbox and its sender; stop undoes both, like a
	// process exiting.
	runEdge := func() (*outbox.Outbox, func()) {
		ob, err := outbox.Open(obDir, logger, prometheus.NewRegistry(), outbox.WithSigner(id.Sign))
		require.NoError(t, err)
		hello := func() *xiuhuav1.Hello { return &xiuhuav1.Hello{DeviceId: "edge-nl"} }
		beat := func() *xiuhuav1.Heartbeat { return &xiuhuav1.Heartbeat{} }
		up, err := uplink.New(upCfg, ob, id, hello, beat, logger)
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- up.Run(ctx) }()
		return ob, func() {
			cancel()
			require.NoError(t, <-done)
			require.NoError(t, ob.Close())
		}
	}

	ob, stopEdge := runEdge()
	want := map[string]bool{}
	for i := range n {
		rep := syntheticReport(i)
		want[rep.EventId] = true
		require.NoError(t, ob.Put(rep, []outbox.File{{Name: "snapshot.jpg", Kind: xiuhuav1.EvidenceKind_EVIDENCE_KIND_SNAPSHOT,
			ContentType: "image/jpeg", Data: syntheticJPEG(t, i)}}))
	}
	// Several send attempts fail against the closed port; all stay queued.
	time.Sleep(2 * time.Second)
	count, _, _ := ob.Stats()
	require.Equal(t, n, count, "violations left the outbox while the server was down")

	// The box reboots: the queue is on disk.
	stopEdge()
	ob, stopEdge = runEdge()
	defer stopEdge()
	count, _, _ = ob.Stats()
	require.Equal(t, n, count, "violations lost across an edge restart")

	// The server comes up, behind the lossy link.
	srv, err := app.New(cfg, app.WithLogger(logger))
	require.NoError(t, err)
	apiToken, err := srv.Auth().AddAPIToken(context.Background(), "e2e", "admin", "test")
	require.NoError(t, err)
	apiTokens.Store(srv.HTTPAddr(), apiToken)
	ctx, cancel := context.WithCancel(context.Background())
	srvDone := make(chan error, 1)
	go func() { srvDone <- srv.Run(ctx) }()
	defer func() { cancel(); require.NoError(t, <-srvDone) }()
	proxy := startLostAckProxy(t, edgeAddr, srv.GRPCAddr())

	require.Eventually(t, func() bool { c, _, _ := ob.Stats(); return c == 0 }, 60*time.Second, 100*time.Millisecond,
		"outbox did not drain")
	require.Zero(t, ob.DeadCount(), "reports were refused")

	cases := allCases(t, "http://"+srv.HTTPAddr())
	require.Len(t, cases, n, "want exactly one case per violation")
	got := map[string]bool{}
	for _, c := range cases {
		require.Equal(t, 1, c.ReportCount, "case %s holds a duplicate report", c.ID)
		var d apiCaseDetail
		getJSON(t, "http://"+srv.HTTPAddr()+"/api/v1/cases/"+c.ID, &d)
		require.Len(t, d.Reports, 1)
		got[d.Reports[0].EventID] = true
	}
	require.Equal(t, want, got)
	for ev := range want {
		require.GreaterOrEqual(t, proxy.attemptsFor(ev), 2, "event %s: the lost ack was not followed by a re-send", ev)
	}
}

func syntheticReport(i int) *xiuhuav1.ViolationReport {
	now := time.Now()
	return &xiuhuav1.ViolationReport{
		EventId:       fmt.Sprintf("edge-nl_cam%d_%d", i%2, now.UnixNano()+int64(i)),
		DeviceId:      "edge-nl",
		CameraId:      fmt.Sprintf("cam%d", i%2),
		ZoneId:        "z",
		RuleId:        "r",
		ViolationType: "demo_linger",
		ObservedAt:    timestamppb.New(now),
		StartedAt:     timestamppb.New(now.Add(-30 * time.Second)),
		DwellSeconds:  30,
		Detections:    []*xiuhuav1.Detection{{ClassName: "person", Score: 0.9, Box: &xiuhuav1.Box{X: 10, Y: 10, Width: 20, Height: 40}}},
		FrameWidth:    64,
		FrameHeight:   48,
	}
}

func syntheticJPEG(t *testing.T, i int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := range 48 {
		for x := range 64 {
			img.Set(x, y, color.RGBA{R: uint8(x * 4), G: uint8(y * 5), B: uint8(i * 40), A: 255})
		}
	}
	var buf bytes.Buffer
	require.NoError(t, jpeg.Encode(&buf, img, nil))
	return buf.Bytes()
}
