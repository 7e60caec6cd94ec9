package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// edgeResult is one K's measurement.
type edgeResult struct {
	k                   int
	cpu                 float64 // CPU-s per second over the window
	rss                 int64   // largest RSS in the window
	goHeap              float64 // Go heap in use at the end, bytes
	mean, min, max      float64 // looks per camera per second
	dropsPerSec, lagMax float64
	keyOnly             int
	overShare           float64 // share of the window's polls that said overloaded
	overLogs            int     // "box overloaded" log lines
	steady              time.Duration
	steadyOK            bool
}

func (r edgeResult) print(w io.Writer, prev *edgeResult) {
	mib := float64(r.rss) / (1 << 20)
	marginal := "-"
	if prev != nil && r.k > prev.k {
		marginal = fmt.Sprintf("%.1f", float64(r.rss-prev.rss)/(1<<20)/float64(r.k-prev.k))
	}
	ratio := 0.0
	if r.max > 0 {
		ratio = r.min / r.max
	}
	// CPU per look holds up better than looks per second on a machine
	// shared with other work: both shrink with the CPU the edge gets.
	perLook := 0.0
	if r.mean > 0 {
		perLook = 1000 * r.cpu / (r.mean * float64(r.k))
	}
	steady := "never"
	if r.steadyOK {
		steady = fmt.Sprintf("%.0f s", r.steady.Seconds())
	}
	fmt.Fprintf(w, "%4d  %7.2f  %7.0f  %7.0f  %7.1f  %8s  %16.3f  %.3f %.3f  %7.2f  %3d/%-3d  %7.2f  %6.1f s  %4.0f%% (%d log)  %9s  %11.1f\n",
		r.k, r.cpu, mib, r.goHeap/(1<<20), mib/float64(r.k), marginal, r.mean, r.min, r.max, ratio, r.keyOnly, r.k, r.dropsPerSec, r.lagMax,
		100*r.overShare, r.overLogs, steady, perLook)
}

// measureEdge runs the edge child with k cameras from a cold start and
// polls it once a second until the window is over.
func measureEdge(ctx context.Context, o *edgeOptions, addr string, k int) (edgeResult, error) {
	dir, err := os.MkdirTemp("", "xiuhua-bench-edge-")
	if err != nil {
		return edgeResult{}, err
	}
	defer os.RemoveAll(dir)
	httpAddr, err := freeAddr()
	if err != nil {
		return edgeResult{}, err
	}
	cfgPath, err := edgeConfig(dir, o, addr, httpAddr, k)
	if err != nil {
		return edgeResult{}, err
	}
	logPath := dir + "/edge.log"
	logf, err := os.Create(logPath)
	if err != nil {
		return edgeResult{}, err
	}
	defer logf.Close()
	self, err := os.Executable()
	if err != nil {
		return edgeResult{}, err
	}
	cmd := exec.Command(self, "edge", "-serve-edge", cfgPath)
	cmd.Stdout, cmd.Stderr = logf, logf
	var pprofAddr string
	if o.heapProfile != "" {
		if pprofAddr, err = freeAddr(); err != nil {
			return edgeResult{}, err
		}
		cmd.Env = append(os.Environ(), pprofEnv+"="+pprofAddr)
	}
	if o.logOut {
		cmd.Stderr = io.MultiWriter(logf, os.Stderr)
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return edgeResult{}, fmt.Errorf("start edge child: %w", err)
	}
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}()
	samples, err := pollEdge(ctx, cmd.Process.Pid, "http://"+httpAddr+"/metrics", start, o.warmup+o.window)
	if err != nil {
		b, _ := os.ReadFile(logPath)
		return edgeResult{}, fmt.Errorf("K=%d: %w\nedge log tail:\n%s", k, err, tailLines(string(b), 20))
	}
	if pprofAddr != "" {
		if err := fetchFile("http://"+pprofAddr+"/debug/pprof/heap?gc=1", fmt.Sprintf("%s.%d", o.heapProfile, k)); err != nil {
			fmt.Fprintln(os.Stderr, "bench edge: heap profile:", err)
		}
	}
	b, _ := os.ReadFile(logPath)
	r := summarise(o, k, samples)
	r.overLogs = strings.Count(string(b), "box overloaded")
	return r, nil
}

// pollEdge samples the child once a second for d.
func pollEdge(ctx context.Context, pid int, url string, start time.Time, d time.Duration) ([]sample, error) {
	var out []sample
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for time.Since(start) < d {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-tick.C:
		}
		s := sample{at: time.Since(start)}
		var err error
		if s.cpu, err = procCPU(pid); err != nil {
			return nil, fmt.Errorf("edge child gone: %w", err)
		}
		if s.rss, err = procRSS(pid); err != nil {
			return nil, err
		}
		if err := scrape(url, &s); err != nil {
			if s.at > 60*time.Second {
				return nil, fmt.Errorf("metrics: %w", err)
			}
			continue // still starting
		}
		out = append(out, s)
	}
	return out, nil
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func tailLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

func fetchFile(url, path string) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
