package main

import (
	"fmt"
	"time"

	"github.com/xiuhua/xiuhua/edge/rules"
	"github.com/xiuhua/xiuhua/edge/track"
	"github.com/xiuhua/xiuhua/edge/vision"
	"github.com/xiuhua/xiuhua/hack/stage/scene"
)

// tally counts one scene's (or all scenes') runs in one mode.
type tally struct {
	runs, hits, violations int
	delays                 time.Duration
}

// add scores one run: its first violation on the staged object in time is
// a hit; every other violation is a false alarm.
func (t *tally) add(s scene.Scene, fired []rules.Violation, dwell time.Duration) {
	t.violations += len(fired)
	if !s.Violation {
		return
	}
	t.runs++
	from, _ := s.Stay()
	r := s.Truth()
	truth := vision.Box{X1: float32(r.Min.X), Y1: float32(r.Min.Y), X2: float32(r.Max.X), Y2: float32(r.Max.Y)}
	for _, v := range fired {
		at := v.At.Sub(time.Time{})
		if at >= from && at <= from+dwell+15*time.Second && track.IoU(v.Object.Box, truth) >= 0.3 {
			t.hits++
			t.delays += at - from
			return
		}
	}
}

func (t *tally) merge(o tally) {
	t.runs += o.runs
	t.hits += o.hits
	t.violations += o.violations
	t.delays += o.delays
}

func (t tally) recall() string {
	if t.runs == 0 {
		return "-"
	}
	return fmt.Sprintf("%d/%d", t.hits, t.runs)
}

func (t tally) precision() string {
	if t.violations == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", float64(t.hits)/float64(t.violations))
}

func (t tally) delay() string {
	if t.hits == 0 {
		return "-"
	}
	return (t.delays / time.Duration(t.hits)).Round(time.Second).String()
}
