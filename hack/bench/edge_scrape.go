package main

import (
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// sample is one poll of the edge child: its CPU and memory from /proc,
// its metrics from /metrics.
type sample struct {
	at      time.Duration // since the child started
	cpu     time.Duration // user + system
	rss     int64         // bytes
	looks   map[string]float64
	dropped float64 // frames replaced before the pipeline took them, all cameras
	lagMax  float64 // seconds, worst camera
	keyOnly int     // cameras decoding keyframes only
	over    bool
	goHeap  float64 // bytes of Go heap in use
}

// procCPU reads utime+stime of pid.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// Fields after the command name, which is in parentheses and may hold
	// spaces: state is field 3, utime 14, stime 15.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("short /proc/%d/stat", pid)
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	// USER_HZ is 100 on Linux.
	return time.Duration(ut+st) * 10 * time.Millisecond, nil
}

// procRSS reads VmRSS of pid.
func procRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmRSS for %d", pid)
}

// scrape reads the edge's metrics into s.
func scrape(url string, s *sample) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		return err
	}
	s.looks = map[string]float64{}
	each := func(name string, f func(cam string, v float64)) {
		fam := fams[name]
		if fam == nil {
			return
		}
		for _, m := range fam.Metric {
			f(label(m, "camera"), value(m))
		}
	}
	each("xiuhua_edge_frames_detected_total", func(cam string, v float64) { s.looks[cam] = v })
	each("xiuhua_ingest_frames_dropped_total", func(_ string, v float64) { s.dropped += v })
	each("xiuhua_ingest_lag_seconds", func(_ string, v float64) { s.lagMax = max(s.lagMax, v) })
	each("xiuhua_ingest_keyframes_only", func(_ string, v float64) {
		if v == 1 {
			s.keyOnly++
		}
	})
	each("xiuhua_edge_overloaded", func(_ string, v float64) { s.over = v == 1 })
	each("go_memstats_heap_inuse_bytes", func(_ string, v float64) { s.goHeap = v })
	return nil
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.Label {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

func value(m *dto.Metric) float64 {
	switch {
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	}
	return 0
}
