// Package pipeline runs the per-camera chain of the edge node: decoded
// frames → detect → track → rules → evidence → outbox. Each stage is a
// package of its own; this one only wires them and owns the loop.
package pipeline

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"gocv.io/x/gocv"

	"github.com/xiuhua/xiuhua/edge/evidence"
	"github.com/xiuhua/xiuhua/edge/ingest"
	"github.com/xiuhua/xiuhua/edge/outbox"
	"github.com/xiuhua/xiuhua/edge/rules"
	"github.com/xiuhua/xiuhua/edge/track"
	"github.com/xiuhua/xiuhua/edge/vision"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// Detector is what the pipeline needs of a model.
type Detector interface {
	Detect(img gocv.Mat) ([]vision.Detection, error)
	Info() vision.ModelInfo
}

// Clipper cuts a video clip around t0 from the camera's ring buffer; it
// waits for the post-roll to arrive, or returns what it has when ctx ends.
type Clipper interface {
	Clip(ctx context.Context, t0 time.Time, pre, post time.Duration) ([]byte, error)
}

// Sink stores a violation durably (the outbox). A Sink that is also a
// HeldSink stores a violation waiting for its clip at once (see
// storeThenClip).
type Sink interface {
	Put(report *xiuhuav1.ViolationReport, files []outbox.File) error
}

// Camera is the chain for one camera. Frames come from Frames, which the
// ingest side owns and never closes while Run reads it; Run closes every
// frame it receives.
type Camera struct {
	Source   evidence.Source
	Frames   <-chan ingest.Frame
	Detector Detector
	Tracker  *track.Tracker
	Rules    *rules.Engine
	// Changes are the zones watched by persistent change; Run closes them.
	Changes []*ChangeWatch
	Sink    Sink
	Log     *slog.Logger
	Metrics *Metrics
	// Annotator draws the annotated evidence; its zero value writes
	// English labels only.
	Annotator evidence.Annotator
	// Clips, when set, adds a clip from ClipPre before to ClipPost after
	// the violation to its evidence.
	Clips             Clipper
	ClipPre, ClipPost time.Duration
	// Peek, when set, lends copies of frames to the AI re-check.
	Peek *Peeker
	// Regions, when set, makes the detector look at parts of the frame
	// at the camera's resolution; nil looks at the whole frame.
	Regions *Regions
	// Turns, when set, says when the camera may look (see Gate); nil
	// looks at every frame as it comes.
	Turns Gate
	// Warn, when set, takes the violations of warn-first rules.
	Warn WarnFirst

	clipCtx     context.Context // ends when Run ends: clips stop waiting
	stopClips   context.CancelFunc
	pendingPuts sync.WaitGroup
	best        *bestFrames // created at the first frame
	// model ran on the frame being processed; it goes in that frame's
	// reports, since a hot swap may change the model between frames.
	model vision.ModelInfo
	// looks counts the detector runs done, for the heartbeat.
	looks atomic.Uint64
	// queued are the violations the current look raised, jobs those
	// handed to the evidence worker (raise.go).
	queued []queuedViolation
	jobs   chan *evidenceJob
}

// Looks is how many frames the detector has looked at so far.
func (c *Camera) Looks() uint64 { return c.looks.Load() }

// Run processes frames until ctx is done or Frames is closed.
func (c *Camera) Run(ctx context.Context) {
	c.clipCtx, c.stopClips = context.WithCancel(context.Background())
	defer c.close()
	defer c.startWorker(ctx)() // before close: its jobs may wait for clips
	for {
		select {
		case <-ctx.Done():
			return
		case f, ok := <-c.Frames:
			if !ok {
				return // the source stopped
			}
			f, turn, ok := c.awaitTurn(ctx, f)
			if !ok {
				return
			}
			// A keyframe handed out undecoded is decoded in the turn: the
			// look's cost includes it (ingest counts and logs failures).
			if err := f.Ready(); err != nil {
				turn.Done()
				f.Close()
				continue
			}
			v := newView(f, pictureScaler)
			c.Peek.serve(v, c.Log)
			c.look(v)
			turn.Done()
			c.handOff(ctx, v)
			v.close()
		}
	}
}

// checkZones warns, at the first frame, about pixel zones that lie outside
// the picture: a zone drawn for another resolution that can never fire.
func (c *Camera) checkZones(w, h int) {
	for _, zr := range c.Rules.Zones() {
		if !zr.Zone.Pixels {
			continue
		}
		if r := zr.Zone.Bounds(w, h); r.Dx() < 2 || r.Dy() < 2 {
			c.Log.Error("zone lies outside the picture and can never fire", "zone", zr.Zone.ID, "width", w, "height", h)
		}
	}
}

func (c *Camera) close() {
	if c.stopClips != nil {
		// Violations waiting for their clip's post-roll are stored with
		// what the ring holds now rather than lost.
		c.stopClips()
		c.pendingPuts.Wait()
	}
	for _, w := range c.Changes {
		w.Close()
	}
	if c.best != nil {
		c.best.close()
	}
}

// process looks at the frame and stores what it raised, as Run does
// without turns.
func (c *Camera) process(v *view) {
	c.look(v)
	c.raiseQueued(context.Background(), v)
}

// look runs the detector, tracker and rules on the frame (and the change
// checks) and queues the violations they raise for raiseQueued.
func (c *Camera) look(v *view) {
	f := v.f
	size := v.size()
	w, h := size.X, size.Y
	if c.best == nil {
		c.best = newBestFrames(time.Minute)
		c.checkZones(w, h)
	}
	id := c.Source.CameraID
	for _, cw := range c.Changes {
		viol, err := cw.check(f.Captured, v.bgr)
		if err != nil {
			c.Metrics.violationErrors.WithLabelValues(id).Inc()
			c.Log.Warn("change check failed", "zone", cw.Zone.ID, "err", err)
			continue
		}
		if viol != nil {
			before, _ := cw.Before()
			c.queue(v, *viol, w, h, &before)
		}
	}
	start := time.Now()
	dets, model, err := c.detect(v)
	c.Metrics.detectSeconds.WithLabelValues(id).Observe(time.Since(start).Seconds())
	if err != nil {
		// A bad frame or a runtime hiccup must not stop the camera.
		c.Metrics.detectErrors.WithLabelValues(id).Inc()
		c.Log.Warn("detect failed", "err", err)
		return
	}
	c.Metrics.framesDetected.WithLabelValues(id).Inc()
	c.looks.Add(1)
	if model != c.model {
		// The first frame of another model (a hot swap, a rollback): rules
		// whose classes follow the model take the classes set for it now,
		// so each frame is judged by those of the model that saw it.
		c.Rules.ApplyClasses()
	}
	c.model = model
	tracks := c.Tracker.Update(f.Captured, dets)
	c.best.offer(f.Captured, v, tracks, c.Rules.Watches)
	for _, viol := range c.Rules.Observe(f.Captured, w, h, tracks) {
		c.queue(v, viol, w, h, nil)
	}
	for _, viol := range c.Rules.Accumulate(f.Captured, w, h, dets) {
		c.queue(v, viol, w, h, nil)
	}
}

// detect runs the model on the frame, or on its regions when the camera
// has them.
func (c *Camera) detect(v *view) ([]vision.Detection, vision.ModelInfo, error) {
	if c.Regions == nil {
		img, err := v.bgr()
		if err != nil {
			return nil, vision.ModelInfo{}, err
		}
		return detectWithModel(c.Detector, img)
	}
	return c.Regions.detect(c.Detector, v, c.Log)
}

// raise stores violation q seen in frame fv, which the model saw; a
// change finding's reference picture goes beside the frame in the
// evidence.
func (c *Camera) raise(fv *view, model vision.ModelInfo, q *queuedViolation) {
	id := c.Source.CameraID
	f := fv.f
	v, w, h := q.v, q.w, q.h
	// Evidence is the whole frame at full size: converted now, once for
	// every violation of this look.
	img, err := fv.bgr()
	if err != nil {
		c.Metrics.violationErrors.WithLabelValues(id).Inc()
		c.Log.Error("build evidence", "rule", v.Rule.ID, "err", err)
		return
	}
	raw, annotated, err := c.Annotator.Snapshots(img, id, v)
	if err != nil {
		c.Metrics.violationErrors.WithLabelValues(id).Inc()
		c.Log.Error("build evidence", "rule", v.Rule.ID, "err", err)
		return
	}
	src := c.Source
	if model != (vision.ModelInfo{}) {
		src.Model = model
	}
	rep := evidence.Report(src, v, w, h)
	files := []outbox.File{
		{Name: "snapshot.jpg", Kind: xiuhuav1.EvidenceKind_EVIDENCE_KIND_SNAPSHOT, ContentType: "image/jpeg", Data: raw},
		{Name: "annotated.jpg", Kind: xiuhuav1.EvidenceKind_EVIDENCE_KIND_ANNOTATED, ContentType: "image/jpeg", Data: annotated},
	}
	if b := q.best; b != nil {
		best := v
		best.Object.Box, best.Object.Score, best.At = b.box, b.score, b.at
		if data, err := bestEvidence(c.Annotator, id, b, best); err != nil {
			c.Log.Warn("best-frame evidence", "err", err)
		} else {
			files = append(files, outbox.File{Name: "best.jpg", Kind: xiuhuav1.EvidenceKind_EVIDENCE_KIND_ANNOTATED, ContentType: "image/jpeg", Data: data})
		}
	}
	if q.hasBefore {
		pair, err := evidence.BeforeAfter(q.before, img)
		if err != nil {
			c.Log.Warn("before/after evidence", "err", err)
		} else {
			files = append(files, outbox.File{Name: "before_after.jpg", Kind: xiuhuav1.EvidenceKind_EVIDENCE_KIND_BEFORE_AFTER, ContentType: "image/jpeg", Data: pair})
		}
	}
	if c.warnFirst(f.Captured, rep, files, v) {
		return
	}
	if c.Clips == nil || c.clipCtx == nil {
		c.store(rep, files, v)
		return
	}
	c.storeThenClip(f.Captured, rep, files, v)
}

// bestEvidence draws violation v on the best sighting b.
func bestEvidence(a evidence.Annotator, camera string, b *bestFrame, v rules.Violation) ([]byte, error) {
	img, done, err := b.bgr()
	if err != nil {
		return nil, err
	}
	defer done()
	_, annotated, err := a.Snapshots(img, camera, v)
	return annotated, err
}
