package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"
	"sync"
	"time"

	"github.com/xiuhua/xiuhua/edge/config"
	"github.com/xiuhua/xiuhua/edge/decode"
	"github.com/xiuhua/xiuhua/edge/ingest"
	"github.com/xiuhua/xiuhua/edge/looks"
	"github.com/xiuhua/xiuhua/edge/pipeline"
	"github.com/xiuhua/xiuhua/internal/backoff"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// gcPercent is the edge's GOGC unless the environment sets one.
const gcPercent = 25

// fleet is what the box shares between its cameras (docs/fleet.md): the
// look scheduler, the staggered start, the ring buffers' byte caps.
type fleet struct {
	sched   *looks.Scheduler
	stagger time.Duration
}

func newFleet(cfg config.Config, logger *slog.Logger) *fleet {
	// Trimmed keyframes-only decoders must really give their pictures back.
	decode.ReturnFreedPictures()
	if os.Getenv("GOGC") == "" {
		// The Go heap is mostly compressed video in the ring buffers:
		// bytes without pointers, cheap to mark, arriving at a few MB/s.
		// The default GOGC of 100 lets the heap grow to twice what is live
		// before collecting, which at 64 cameras is hundreds of MiB.
		debug.SetGCPercent(gcPercent)
	}
	n := looksAtOnce(&cfg)
	logger.Info("looks run at once, each on its own copy of the model", "looks", n,
		"model_threads", cfg.Model.Threads, "cores", runtime.NumCPU())
	return &fleet{
		sched:   looks.New(looks.Config{Slots: n, Log: logger.With("component", "looks")}),
		stagger: cfg.Fleet.StartStagger.D(),
	}
}

// ingestConfig is camera i's ingest config with the box-wide parts: its
// share of the ring bytes, and full decoding only once the box is known to
// keep up.
func (f *fleet) ingestConfig(cfg config.Config, i int) ingest.Config {
	ic := ingestConfig(cfg.Cameras[i])
	ic.RingMaxBytes = cfg.RingBytes(i)
	// Not before the scheduler has measured a window: a box starting
	// many cameras does not know yet whether it can afford it.
	ic.FullDecodeOK = func() bool { return f.sched.Settled() && !f.sched.Overloaded() }
	// Keyframes are decoded in the look's turn: as many at once as looks
	// run, none for a keyframe replaced while it waited.
	ic.DecodeAtTurn = true
	return ic
}

// register puts the camera under the scheduler: its chain waits for turns,
// and its ingest offers no more frames than its share while overloaded.
func (f *fleet) register(c config.Camera, cam *ingest.Camera, chain *pipeline.Camera) {
	chain.Turns = f.sched.Register(c.ID, c.DetectFPS, cam.SetLookLimit)
}

// start runs the scheduler and camera i's ingest, the latter after i
// staggers, so that a box with many cameras does not connect and decode
// them all in the same second.
func (f *fleet) start(ctx context.Context, wg *sync.WaitGroup, cams []*ingest.Camera) {
	wg.Go(func() { f.sched.Run(ctx) })
	for i, cam := range cams {
		wg.Go(func() {
			if backoff.Wait(ctx, time.Duration(i)*f.stagger) {
				cam.Run(ctx)
			}
		})
	}
}

// heartbeat adds the fleet state to a heartbeat built by heartbeat().
func (f *fleet) heartbeat(hb *xiuhuav1.Heartbeat, cams []*ingest.Camera) *xiuhuav1.Heartbeat {
	st := f.sched.Status()
	hb.Overloaded = st.Overloaded
	for i, cs := range hb.Cameras {
		if i < len(st.Cameras) {
			cs.LookRate, cs.TargetLookRate = st.Cameras[i].Rate, st.Cameras[i].Target
		}
		if i < len(cams) {
			ist := cams[i].Status()
			cs.KeyframesOnly, cs.Problem = ist.KeyframesOnly, ist.Problem
		}
	}
	return hb
}

// healthz writes the box's state and one line per camera:
//
//	overloaded false
//	cam1 streaming looks=0.50/0.50 keyframes_only=true problem="" error=""
func (f *fleet) healthz(w io.Writer, cams []*ingest.Camera, ids []string) {
	st := f.sched.Status()
	fmt.Fprintf(w, "overloaded %t\n", st.Overloaded)
	for i, c := range cams {
		ist := c.Status()
		var rate, target float64
		if i < len(st.Cameras) {
			rate, target = st.Cameras[i].Rate, st.Cameras[i].Target
		}
		fmt.Fprintf(w, "%s %s looks=%.2f/%.2f keyframes_only=%t problem=%q error=%q\n",
			ids[i], ist.State, rate, target, ist.KeyframesOnly, ist.Problem, ist.LastError)
	}
}
