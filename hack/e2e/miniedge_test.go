package e2e

import (
	"context"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/xiuhua/xiuhua/edge/identity"
	"github.com/xiuhua/xiuhua/edge/outbox"
	"github.com/xiuhua/xiuhua/edge/uplink"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// The mini edge is the edge's delivery half, its outbox and uplink wired as
// edge/app wires them, in a process of its own (this test binary, started
// with miniEdgeEnv set) so that the fault tests can SIGKILL it mid-upload
// without the cost of cameras and a model. Its folder holds device.key,
// token and outbox/; the test fills the outbox while it is not running.
const (
	miniEdgeEnv       = "XIUHUA_E2E_MINIEDGE" // the edge's folder
	miniEdgeServerEnv = "XIUHUA_E2E_MINIEDGE_SERVER"
	miniEdgeDevice    = "edge-f"
)

func runMiniEdge() int {
	dir := os.Getenv(miniEdgeEnv)
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	id, err := identity.LoadOrCreate(filepath.Join(dir, "device.key"))
	if err != nil {
		logger.Error("mini edge", "err", err)
		return 1
	}
	ob, err := outbox.Open(filepath.Join(dir, "outbox"), logger.With("component", "outbox"), prometheus.NewRegistry(),
		outbox.WithSigner(id.Sign))
	if err != nil {
		logger.Error("mini edge", "err", err)
		return 1
	}
	defer ob.Close()
	cfg := uplink.Config{ServerAddr: os.Getenv(miniEdgeServerEnv), TLS: uplink.TLSConfig{Insecure: true},
		DeviceID: miniEdgeDevice, TokenFile: filepath.Join(dir, "token"),
		RetryMin: 100 * time.Millisecond, RetryMax: time.Second, HeartbeatInterval: time.Second, RescanInterval: time.Second}
	hello := func() *xiuhuav1.Hello { return &xiuhuav1.Hello{DeviceId: miniEdgeDevice, PublicKey: id.PublicKey()} }
	beat := func() *xiuhuav1.Heartbeat {
		n, b, age := ob.Stats()
		full, detail, _ := ob.DiskFull()
		return &xiuhuav1.Heartbeat{OutboxPending: int64(n), OutboxBytes: b, OutboxOldestAgeSeconds: age.Seconds(),
			DiskFull: full, DiskFullDetail: detail}
	}
	up, err := uplink.New(cfg, ob, id, hello, beat, logger.With("component", "uplink"))
	if err != nil {
		logger.Error("mini edge", "err", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := up.Run(ctx); err != nil && ctx.Err() == nil {
		logger.Error("mini edge", "err", err)
		return 1
	}
	return 0
}

// startMiniEdge runs the mini edge in dir against the server at addr.
func startMiniEdge(t *testing.T, dir, addr string) *proc {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), miniEdgeEnv+"="+dir, miniEdgeServerEnv+"="+addr)
	return startCmd(t, "mini edge", cmd)
}
