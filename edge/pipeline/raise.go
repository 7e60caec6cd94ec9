package pipeline

import (
	"context"
	"sync"

	"gocv.io/x/gocv"

	"github.com/xiuhua/xiuhua/edge/decode"
	"github.com/xiuhua/xiuhua/edge/ingest"
	"github.com/xiuhua/xiuhua/edge/looks"
	"github.com/xiuhua/xiuhua/edge/rules"
	"github.com/xiuhua/xiuhua/edge/vision"
)

// Evidence is built after the look that raised it, apart from the camera's
// loop. The whole picture converted, two or three JPEG encodes and a best
// sighting decoded again cost more than a look; built in the look, they
// held a detector slot, and built in the camera's loop they stopped the
// camera looking. So a look that raises violations hands them to the
// camera's evidence worker as a job that owns everything it needs (its
// own reference to the frame, copies of the best sightings and reference
// pictures, the model that saw it), and the camera goes on looking. Under
// a look scheduler the worker builds in a background turn: the other
// cameras' looks go first (edge/looks, background.go).

// evidenceQueue is how many looks' violations may wait for a camera's
// worker; when it is full the camera builds the evidence itself and
// waits, so a storm of violations slows that camera, not the box's memory.
const evidenceQueue = 2

// queuedViolation is a violation of the current look waiting for its job.
type queuedViolation struct {
	v    rules.Violation
	w, h int
	// before is a copy of the zone's reference picture (a change finding);
	// best a copy of the track's best sighting when it is not this frame.
	before    gocv.Mat
	hasBefore bool
	best      *bestFrame
}

func (q *queuedViolation) close() {
	if q.hasBefore {
		q.before.Close()
	}
	if q.best != nil {
		q.best.close()
	}
}

// evidenceJob is one look's violations with what building them needs.
type evidenceJob struct {
	frame ingest.Frame  // CameraID, Seq, Captured; Image for BGR frames
	still *decode.Still // the picture, kept (its keyframe, or a reference)
	model vision.ModelInfo
	viols []queuedViolation
}

// backgrounder is a Gate that also grants turns for work that may wait
// for the looks (edge/looks.Camera).
type backgrounder interface {
	Background(ctx context.Context) (looks.Turn, error)
}

// queue keeps violation v of the look at fv for the look's job.
func (c *Camera) queue(fv *view, v rules.Violation, w, h int, before *gocv.Mat) {
	q := queuedViolation{v: v, w: w, h: h}
	if before != nil {
		q.before, q.hasBefore = before.Clone(), true
	}
	if b, ok := c.best.get(v.Object.TrackID); ok && v.Object.Kind == rules.FindingTrack && !b.at.Equal(fv.f.Captured) {
		q.best = b.copy()
	}
	c.queued = append(c.queued, q)
}

// takeJob moves the look's violations into a job with its own reference
// to the frame.
func (c *Camera) takeJob(fv *view) *evidenceJob {
	f := fv.f
	j := &evidenceJob{frame: ingest.Frame{CameraID: f.CameraID, Seq: f.Seq, Captured: f.Captured},
		model: c.model, viols: c.queued}
	c.queued = nil
	if f.Picture == nil {
		j.frame.Image = fv.full.Clone()
		return j
	}
	// A keyframes-only picture is kept as its keyframe (tens of KB, decoded
	// again for the evidence), any other as a reference to it.
	s, err := f.Picture.Keep()
	if err != nil {
		c.Log.Error("build evidence: keep the frame", "err", err)
	}
	j.still = s
	return j
}

// raiseQueued builds the evidence of the look's violations in the loop:
// for calls without a worker (process).
func (c *Camera) raiseQueued(ctx context.Context, fv *view) {
	if len(c.queued) > 0 {
		c.build(ctx, c.takeJob(fv))
	}
}

// handOff gives the look's violations to the camera's worker, or builds
// them here when its queue is full.
func (c *Camera) handOff(ctx context.Context, fv *view) {
	if len(c.queued) == 0 {
		return
	}
	j := c.takeJob(fv)
	select {
	case c.jobs <- j:
	default:
		c.build(ctx, j)
	}
}

// startWorker runs the camera's evidence worker until stop, which waits
// for the jobs already handed off.
func (c *Camera) startWorker(ctx context.Context) (stop func()) {
	c.jobs = make(chan *evidenceJob, evidenceQueue)
	var wg sync.WaitGroup
	wg.Go(func() {
		for j := range c.jobs {
			c.build(ctx, j)
		}
	})
	return func() {
		close(c.jobs)
		wg.Wait()
	}
}

// build turns a job into evidence and stores it, in a background turn
// when the camera has a scheduler. When ctx has ended it builds anyway: a
// violation seen is stored.
func (c *Camera) build(ctx context.Context, j *evidenceJob) {
	var turn looks.Turn
	if bg, ok := c.Turns.(backgrounder); ok {
		turn, _ = bg.Background(ctx)
	}
	defer turn.Done()
	f := j.frame
	if j.still != nil {
		pic, err := j.still.Picture()
		j.still.Close()
		if err != nil {
			c.Metrics.violationErrors.WithLabelValues(c.Source.CameraID).Add(float64(len(j.viols)))
			c.Log.Error("build evidence: decode the frame again", "err", err)
			for i := range j.viols {
				j.viols[i].close()
			}
			return
		}
		f.Picture = pic
	}
	fv := newView(f, pictureScaler)
	defer fv.close()
	for i := range j.viols {
		q := &j.viols[i]
		c.raise(fv, j.model, q)
		q.close()
	}
}
