package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/xiuhua/xiuhua/edge/ingest"
	"github.com/xiuhua/xiuhua/hack/camsim/sim"
	"github.com/xiuhua/xiuhua/internal/testdata"
)

// ingestOptions are the flags of `bench ingest`.
type ingestOptions struct {
	counts      []int
	fullCameras int
	window      time.Duration
	warmup      time.Duration
	budget      float64
	cacheDir    string
	serve       bool // internal: run the camsim child
	listen      string
	paths       int
	file        string
	cpuProfile  string
}

// runIngest measures RTSP ingest of K simulated 1080p 25 fps cameras with
// a GOP of 50 served by camsim in a child process over loopback TCP, so the
// CPU it reads (getrusage of this process) is the edge's alone. It prints
// CPU seconds per camera-second for full and keyframes-only decoding, and
// the largest K whose decode CPU stays within the budget (default 1.0
// CPU-second per second: half of a 2-core machine) without growing lag.
func runIngest(args []string) int {
	o, err := parseIngestFlags(args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(os.Stderr, "bench ingest:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if o.serve {
		return serveCamsim(ctx, o)
	}
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench ingest:", err)
			return 1
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "bench ingest:", err)
			return 1
		}
		defer pprof.StopCPUProfile()
	}
	if err := benchIngest(ctx, o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench ingest:", err)
		return 1
	}
	return 0
}

func parseIngestFlags(args []string) (*ingestOptions, error) {
	o := &ingestOptions{}
	fs := flag.NewFlagSet("bench ingest", flag.ContinueOnError)
	counts := fs.String("cameras", "8,16,32,48,64", "camera counts K to try with keyframes-only decoding, ascending")
	fs.IntVar(&o.fullCameras, "full-cameras", 4, "cameras for the full-decode and paired keyframes-only measurement")
	fs.DurationVar(&o.window, "window", 10*time.Second, "measurement window per run")
	fs.DurationVar(&o.warmup, "warmup", 5*time.Second, "time after every camera streams before measuring")
	fs.Float64Var(&o.budget, "budget", 1.0, "CPU-seconds per second allowed for decoding (1.0 = half of 2 cores)")
	fs.StringVar(&o.cacheDir, "cache", testdata.CacheDir(), "cache folder for the 1080p test stream")
	fs.BoolVar(&o.serve, "serve-camsim", false, "internal: run the camsim child")
	fs.StringVar(&o.listen, "listen", "127.0.0.1:0", "internal: camsim child listen address")
	fs.IntVar(&o.paths, "paths", 4, "camsim paths the cameras are spread over")
	fs.StringVar(&o.file, "file", "", "internal: camsim child's stream file")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the measurements to this file")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	for _, s := range strings.Split(*counts, ",") {
		k, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || k <= 0 {
			return nil, fmt.Errorf("-cameras %q: want positive numbers separated by commas", *counts)
		}
		o.counts = append(o.counts, k)
	}
	if o.fullCameras <= 0 || o.window <= 0 || o.paths <= 0 || o.budget <= 0 {
		return nil, errors.New("-full-cameras, -window, -paths and -budget must be positive")
	}
	return o, nil
}

func benchIngest(ctx context.Context, o *ingestOptions, out io.Writer) error {
	file, err := benchStream(ctx, o.cacheDir)
	if err != nil {
		return err
	}
	addr, stopSim, err := startCamsimChild(ctx, o, file)
	if err != nil {
		return err
	}
	defer stopSim()
	fmt.Fprintf(out, "bench ingest: %d-core machine, %s, 1920x1080 H.264 25 fps, GOP 50 (IDR every 2 s), camsim child on %s over TCP, %d paths\n",
		runtime.NumCPU(), runtime.Version(), addr, o.paths)
	fmt.Fprintf(out, "budget: decode CPU <= %.2f CPU-s per second, lag not growing; window %v after %v warm-up\n\n", o.budget, o.window, o.warmup)

	// The same K for both modes, one after the other, for the ratio.
	full, err := measure(ctx, o, addr, o.fullCameras, ingest.DecodeAll, 1)
	if err != nil {
		return err
	}
	full.print(out, "full decode (every frame; 1 fps converted to BGR 640x360)")
	pair, err := measure(ctx, o, addr, o.fullCameras, ingest.DecodeKeyframes, 0.5)
	if err != nil {
		return err
	}
	pair.print(out, "keyframes only (0.5 fps: every IDR decoded and converted)")
	best, bestPerCam := 0, 0.0
	for _, k := range o.counts {
		r, err := measure(ctx, o, addr, k, ingest.DecodeKeyframes, 0.5)
		if err != nil {
			return err
		}
		r.print(out, "keyframes only (0.5 fps: every IDR decoded and converted)")
		if !r.ok(o.budget) {
			break // larger K only costs more
		}
		best, bestPerCam = k, r.cpuPerCamSec
	}
	fmt.Fprintln(out)
	fmt.Fprintf(out, "CPU-s per camera-second at K=%d: full %.4f, keyframes-only %.4f: keyframes-only is %.1fx cheaper\n",
		o.fullCameras, full.cpuPerCamSec, pair.cpuPerCamSec, full.cpuPerCamSec/pair.cpuPerCamSec)
	fmt.Fprintf(out, "full decode fits about %.0f cameras in the budget (%.2f / %.4f)\n", o.budget/full.cpuPerCamSec, o.budget, full.cpuPerCamSec)
	fmt.Fprintf(out, "largest K measured within budget, keyframes-only: %d", best)
	if best > 0 {
		fmt.Fprintf(out, " (%.4f CPU-s per camera-second there: %.1fx cheaper than full decode)", bestPerCam, full.cpuPerCamSec/bestPerCam)
	}
	fmt.Fprintln(out)
	return nil
}

// result is one measured run.
type result struct {
	cameras       int
	mode          ingest.DecodeMode
	window        time.Duration
	cpu           time.Duration // process CPU (user+system) in the window
	cpuPerCamSec  float64
	received      uint64 // access units in the window, all cameras
	decoded       uint64
	lagStart      time.Duration // worst camera's lag at the window's start and end
	lagEnd        time.Duration
	reconnects    uint64
	decodeErrors  uint64
	expectedUnits float64
}

// ok: within the CPU budget, no reconnect, every access unit arrived, and
// the lag did not grow.
func (r result) ok(budget float64) bool {
	cpuRate := r.cpu.Seconds() / r.window.Seconds()
	return cpuRate <= budget && r.reconnects == 0 && float64(r.received) >= 0.95*r.expectedUnits &&
		r.lagEnd < r.lagStart+500*time.Millisecond && r.lagEnd < 2*time.Second
}

func (r result) print(w io.Writer, what string) {
	fmt.Fprintf(w, "K=%-3d %-58s CPU %.2f s/s  %.4f CPU-s per camera-second  units %d/%.0f decoded %d  lag %v -> %v  reconnects %d errors %d\n",
		r.cameras, what, r.cpu.Seconds()/r.window.Seconds(), r.cpuPerCamSec, r.received, r.expectedUnits, r.decoded,
		r.lagStart.Round(time.Millisecond), r.lagEnd.Round(time.Millisecond), r.reconnects, r.decodeErrors)
}

// measure runs k cameras in mode and measures one window.
func measure(ctx context.Context, o *ingestOptions, addr string, k int, mode ingest.DecodeMode, detectFPS float64) (result, error) {
	runCtx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait()
	}()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	metrics := ingest.NewMetrics(nil)
	cams := make([]*ingest.Camera, k)
	for i := range cams {
		cams[i] = ingest.NewCamera(ingest.Config{
			ID:  fmt.Sprintf("cam%d", i),
			URL: fmt.Sprintf("rtsp://%s/p%d", addr, i%o.paths), DetectFPS: detectFPS,
			Width: 640, Height: 360, DecodeMode: mode,
			StallTimeout: 10 * time.Second,
		}, log, metrics)
		wg.Go(func() { cams[i].Run(runCtx) })
		// A consumer that takes every frame, as the detector would.
		wg.Go(func() {
			for f := range cams[i].Frames() {
				f.Image.Close()
			}
		})
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		all := true
		for _, c := range cams {
			if c.Status().FramesDecoded == 0 {
				all = false
			}
		}
		if all {
			break
		}
		if time.Now().After(deadline) {
			return result{}, fmt.Errorf("K=%d: not every camera decoded a picture within 60 s (cam0: %+v)", k, cams[0].Status())
		}
		if !sleepCtx(ctx, 100*time.Millisecond) {
			return result{}, ctx.Err()
		}
	}
	if !sleepCtx(ctx, o.warmup) {
		return result{}, ctx.Err()
	}
	before := snapshot(cams)
	cpu0 := processCPU()
	t0 := time.Now()
	if !sleepCtx(ctx, o.window) {
		return result{}, ctx.Err()
	}
	cpu1 := processCPU()
	window := time.Since(t0)
	after := snapshot(cams)
	r := result{
		cameras: k, mode: mode, window: window, cpu: cpu1 - cpu0,
		received: after.received - before.received, decoded: after.decoded - before.decoded,
		lagStart: before.maxLag, lagEnd: after.maxLag,
		reconnects: after.reconnects - before.reconnects, decodeErrors: after.errors - before.errors,
		expectedUnits: 25 * window.Seconds() * float64(k),
	}
	r.cpuPerCamSec = r.cpu.Seconds() / (window.Seconds() * float64(k))
	return r, nil
}

type totals struct {
	received, decoded, reconnects, errors uint64
	maxLag                                time.Duration
}

func snapshot(cams []*ingest.Camera) totals {
	var t totals
	for _, c := range cams {
		st := c.Status()
		t.received += st.FramesReceived
		t.decoded += st.FramesDecoded
		t.reconnects += st.Reconnects
		t.errors += st.DecodeErrors
		t.maxLag = max(t.maxLag, st.Lag)
	}
	return t
}

// processCPU is this process's user plus system CPU time so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// benchStream makes (once, cached) 20 s of a 1080p 25 fps pattern with
// sensor-like noise as H.264 main, IDR every 50 frames, no B-frames,
// 4 Mbit/s CBR: what a typical 1080p IP camera sends.
func benchStream(ctx context.Context, cacheDir string) (string, error) {
	dir := filepath.Join(cacheDir, "media")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	dst := filepath.Join(dir, "bench-1080p25-gop50-4mbit-cbr-v2.ts")
	if st, err := os.Stat(dst); err == nil && st.Size() > 0 {
		return dst, nil
	}
	fmt.Fprintln(os.Stderr, "bench ingest: encoding the 1080p test stream once (about a minute)...")
	tmp := dst + ".partial.ts"
	defer os.Remove(tmp)
	cmd := exec.CommandContext(ctx, "ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
		"-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=25,noise=alls=8:allf=t", "-t", "20",
		"-c:v", "libx264", "-preset", "veryfast", "-profile:v", "main", "-pix_fmt", "yuv420p",
		"-bf", "0", "-g", "50", "-keyint_min", "50", "-sc_threshold", "0",
		// Constant bit rate with a half-second buffer, as IP cameras are
		// usually set up: it also caps the IDR at what a camera's encoder
		// would send (plain average-bit-rate x264 makes IDRs 36 times the
		// size of a P-frame, far from what cameras do).
		"-b:v", "4M", "-minrate", "4M", "-maxrate", "4M", "-bufsize", "2M", "-x264-params", "nal-hrd=cbr",
		"-f", "mpegts", tmp)
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("encode the test stream with ffmpeg: %w: %s", err, buf.String())
	}
	return dst, os.Rename(tmp, dst)
}

// startCamsimChild runs this binary again as a camsim serving file on
// o.paths paths, and returns its address.
func startCamsimChild(ctx context.Context, o *ingestOptions, file string) (addr string, stop func(), err error) {
	self, err := os.Executable()
	if err != nil {
		return "", nil, err
	}
	cctx, cancel := context.WithCancel(ctx)
	cmd := exec.CommandContext(cctx, self, "ingest", "-serve-camsim", "-paths", strconv.Itoa(o.paths), "-file", file)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Second
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		return "", nil, err
	}
	if err := cmd.Start(); err != nil {
		cancel()
		return "", nil, fmt.Errorf("start camsim child: %w", err)
	}
	stop = func() {
		cancel()
		_ = cmd.Wait()
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "ready ")
	if err != nil || !ok {
		stop()
		return "", nil, fmt.Errorf("camsim child did not start: %q %v", line, err)
	}
	return addr, stop, nil
}

// serveCamsim is the child: serve the file on paths p0..pN-1 until killed.
func serveCamsim(ctx context.Context, o *ingestOptions) int {
	// gortsplib's server logs "write queue is full" through the standard
	// logger for every packet it cannot send when the machine is saturated;
	// the edge side counts what is missing (units received vs expected).
	log.SetOutput(io.Discard)
	var streams []sim.Stream
	for i := range o.paths {
		streams = append(streams, sim.Stream{Name: fmt.Sprintf("p%d", i), File: o.file})
	}
	srv := &sim.Server{Listen: o.listen, Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	if err := srv.Start(streams); err != nil {
		fmt.Fprintln(os.Stderr, "camsim child:", err)
		return 1
	}
	defer srv.Close()
	fmt.Printf("ready %s\n", srv.Addr())
	select {
	case <-ctx.Done():
	case err := <-srv.Err():
		fmt.Fprintln(os.Stderr, "camsim child:", err)
		return 1
	}
	return 0
}
