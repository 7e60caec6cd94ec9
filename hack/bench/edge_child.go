package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	_ "net/http/pprof" // the child's heap profile, for -heap-profile
	"os"
	"path/filepath"
	"strings"

	"github.com/xiuhua/xiuhua/edge/app"
	"github.com/xiuhua/xiuhua/edge/config"
	"github.com/xiuhua/xiuhua/internal/testdata"
)

// pprofEnv names the address the edge child serves net/http/pprof on.
const pprofEnv = "XIUHUA_BENCH_PPROF"

// serveEdge is the edge child: the real edge wiring (app.Run, as the edge
// binary runs it) on the config at path, logging to stderr, until killed.
func serveEdge(ctx context.Context, path string) int {
	cfg, err := config.Load(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "edge child:", err)
		return 2
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if addr := os.Getenv(pprofEnv); addr != "" {
		// For -heap-profile: the edge's own HTTP port serves no pprof.
		go func() { _ = http.ListenAndServe(addr, nil) }()
	}
	if err := app.Run(ctx, cfg, logger); err != nil {
		fmt.Fprintln(os.Stderr, "edge child:", err)
		return 1
	}
	return 0
}

// edgeConfig writes the child's config for k cameras spread over the
// camsim's paths: each looks at 0.5 fps (or o.fps) for street vending on
// the lawn where the staged chair stands, with a ring buffer for clips;
// the server address answers nothing, so violations stay in the outbox.
func edgeConfig(dir string, o *edgeOptions, addr, httpAddr string, k int) (string, error) {
	manifest, err := benchManifest(dir)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "device: {id: bench-edge, data_dir: %q}\n", filepath.Join(dir, "data"))
	fmt.Fprintf(&b, "server: {address: \"127.0.0.1:1\", insecure: true}\n")
	fmt.Fprintf(&b, "model: {manifest: %q, threads: 1}\n", manifest)
	fmt.Fprintf(&b, "http: {listen: %q}\n", httpAddr)
	fmt.Fprintf(&b, "fleet: {start_stagger: %s, ring_buffer_total_bytes: %d}\n", o.stagger, o.ringTotal)
	b.WriteString("cameras:\n")
	for i := range k {
		fmt.Fprintf(&b, "  - id: cam%d\n    url: rtsp://%s/p%d\n    detect_fps: %g\n    decode_mode: %s\n    regions: %s\n", i, addr, i%o.paths, o.fps, o.mode, o.regions)
		fmt.Fprintf(&b, "    detect_width: %d\n    detect_height: %d\n    ring_buffer: %s\n    ring_buffer_bytes: %d\n", o.width, o.height, o.ring, o.ringBytes)
		b.WriteString("    zones:\n      - id: lawn\n        polygon: [[0.0, 0.6], [0.3, 0.6], [0.3, 1.0], [0.0, 1.0]]\n")
		b.WriteString("        rules:\n          - {id: vending, type: street_vending, min_score: 0.3, dwell: 20s, max_motion: 0.5}\n")
	}
	path := filepath.Join(dir, "edge.yaml")
	return path, os.WriteFile(path, []byte(b.String()), 0o600)
}

// benchManifest puts the repository's YOLOX-Nano manifest beside the test
// data's weights, as the e2e tests do.
func benchManifest(dir string) (string, error) {
	root, err := testdata.RepoRoot()
	if err != nil {
		return "", err
	}
	td, err := testdata.Dir()
	if err != nil {
		return "", err
	}
	mdir := filepath.Join(dir, "model")
	if err := os.MkdirAll(mdir, 0o755); err != nil {
		return "", err
	}
	links := map[string]string{
		filepath.Join(td, "models", "yolox_nano.onnx"):    filepath.Join(mdir, "yolox_nano.onnx"),
		filepath.Join(root, "models", "coco_classes.txt"): filepath.Join(mdir, "coco_classes.txt"),
	}
	for src, dst := range links {
		if err := os.Symlink(src, dst); err != nil && !os.IsExist(err) {
			return "", err
		}
	}
	m, err := os.ReadFile(filepath.Join(root, "models", "yolox-nano.yaml"))
	if err != nil {
		return "", err
	}
	p := filepath.Join(mdir, "yolox-nano.yaml")
	return p, os.WriteFile(p, m, 0o600)
}
