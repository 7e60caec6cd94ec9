package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/xiuhua/xiuhua/internal/testdata"
)

// edgeOptions are the flags of `bench edge`.
type edgeOptions struct {
	counts         []int
	warmup, window time.Duration
	fps            float64
	mode           string
	regions        string
	ring           time.Duration
	ringBytes      int
	ringTotal      int64
	stagger        time.Duration
	width, height  int
	paths          int
	cacheDir       string
	serveConfig    string // internal: run the edge child on this config
	steadyWindow   time.Duration
	steadyFraction float64
	logOut         bool
	heapProfile    string
}

// runEdgeBench measures the whole edge (ingest, decode, look scheduler,
// detect, track, rules, evidence, outbox: app.Run in a child process)
// against a camsim child serving K 1080p cameras, from a cold start, and
// prints per K: edge CPU-s/s and RSS from /proc, looks per camera per
// second (mean, min, max), drops, lag, whether the box said it was
// overloaded, and the time until every camera was in steady state.
func runEdgeBench(args []string) int {
	o, err := parseEdgeFlags(args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(os.Stderr, "bench edge:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if o.serveConfig != "" {
		return serveEdge(ctx, o.serveConfig)
	}
	if err := benchEdge(ctx, o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench edge:", err)
		return 1
	}
	return 0
}

func parseEdgeFlags(args []string) (*edgeOptions, error) {
	o := &edgeOptions{}
	fs := flag.NewFlagSet("bench edge", flag.ContinueOnError)
	counts := fs.String("cameras", "16,32,64,96", "camera counts K, each run from a cold start")
	fs.DurationVar(&o.warmup, "warmup", 30*time.Second, "time from the edge's start before the measurement window")
	fs.DurationVar(&o.window, "window", 60*time.Second, "measurement window")
	fs.Float64Var(&o.fps, "fps", 0.5, "detect_fps of every camera")
	fs.StringVar(&o.mode, "decode-mode", "auto", "decode_mode of every camera: auto, keyframes, all")
	fs.DurationVar(&o.ring, "ring", 20*time.Second, "ring_buffer of every camera")
	fs.IntVar(&o.ringBytes, "ring-bytes", 0, "ring_buffer_bytes of every camera (0: the default)")
	fs.Int64Var(&o.ringTotal, "ring-total", 0, "fleet.ring_buffer_total_bytes (0: none)")
	fs.DurationVar(&o.stagger, "stagger", 100*time.Millisecond, "fleet.start_stagger")
	fs.StringVar(&o.regions, "regions", "auto", "regions of every camera: auto (the zone at the camera's resolution) or full (the whole frame, at -width x -height)")
	fs.IntVar(&o.width, "width", 0, "detect_width, only with -regions full (0: the camera's)")
	fs.IntVar(&o.height, "height", 0, "detect_height, only with -regions full (0: the camera's)")
	fs.IntVar(&o.paths, "paths", 4, "camsim paths the cameras are spread over")
	fs.StringVar(&o.cacheDir, "cache", testdata.CacheDir(), "cache folder for the 1080p stream")
	fs.StringVar(&o.serveConfig, "serve-edge", "", "internal: run the edge child on this config")
	fs.DurationVar(&o.steadyWindow, "steady-window", 10*time.Second, "trailing window for the steady-state test")
	fs.Float64Var(&o.steadyFraction, "steady-fraction", 0.7, "a camera is steady once its trailing-window rate reaches this share of its measured rate")
	fs.BoolVar(&o.logOut, "log", false, "copy the edge child's log to stderr")
	fs.StringVar(&o.heapProfile, "heap-profile", "", "write the edge child's Go heap profile at the end of each K's window to this file, K appended")
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
	if o.regions != "auto" && o.regions != "full" || o.regions == "auto" && (o.width != 0 || o.height != 0) {
		return nil, fmt.Errorf("-regions %q -width %d -height %d: want auto (with no -width/-height) or full", o.regions, o.width, o.height)
	}
	if o.window <= 0 || o.warmup < o.steadyWindow || o.paths <= 0 || o.fps <= 0 {
		return nil, errors.New("-window, -paths and -fps must be positive, -warmup at least -steady-window")
	}
	return o, nil
}

func benchEdge(ctx context.Context, o *edgeOptions, out io.Writer) error {
	file, err := edgeStream(ctx, o.cacheDir)
	if err != nil {
		return err
	}
	addr, stopSim, err := startCamsimChild(ctx, &ingestOptions{paths: o.paths}, file)
	if err != nil {
		return err
	}
	defer stopSim()
	fmt.Fprintf(out, "bench edge: %d-core machine, %s, load average %s; staged vending video 1080 lines H.264 25 fps, IDR every 2 s, camsim child on %s (%d paths)\n",
		runtime.NumCPU(), runtime.Version(), loadAvg(), addr, o.paths)
	fmt.Fprintf(out, "each K from a cold start: detect_fps %g, decode_mode %s, regions %s, detect %dx%d, ring_buffer %v, stagger %v; window %v after %v\n\n",
		o.fps, o.mode, o.regions, o.width, o.height, o.ring, o.stagger, o.window, o.warmup)
	fmt.Fprintln(out, "   K  CPU-s/s  RSS MiB  Go heap  MiB/cam  +MiB/cam  looks/cam/s mean  min   max  min/max  keyonly  drops/s  lag max  overloaded  steady at  CPU ms/look")
	var prev *edgeResult
	for _, k := range o.counts {
		r, err := measureEdge(ctx, o, addr, k)
		if err != nil {
			return err
		}
		r.print(out, prev)
		prev = &r
	}
	fmt.Fprintf(out, "\nload average after: %s\n", loadAvg())
	fmt.Fprintln(out, "+MiB/cam: RSS added per camera since the previous K (the per-camera cost without the model's fixed cost)")
	fmt.Fprintln(out, "CPU ms/look: the edge's CPU over the window divided by the looks of all cameras (decoding, receiving and everything else included)")
	return nil
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
