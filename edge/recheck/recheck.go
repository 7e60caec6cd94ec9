// Package recheck answers the server's AI re-check (智能核查): after a
// handler reported a case dealt with, the server asks the edge that found
// it to look at the camera's zone again. The Checker takes a few fresh
// frames of that camera over a short span, runs the pipeline's detector
// on each (or compares the zone with its reference picture for violations
// found by change), and answers present or absent with a fresh snapshot.
// Present wins if any look sees the violation, so that one missed
// detection does not close a case. A camera or zone it does not know, or a
// camera that gives no frame in time, is answered UNAVAILABLE with the
// reason: a human decides.
package recheck

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/xiuhua/xiuhua/edge/evidence"
	"github.com/xiuhua/xiuhua/edge/pipeline"
	"github.com/xiuhua/xiuhua/edge/rules"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// Frames lends copies of a camera's next frame; *pipeline.Peeker.
type Frames interface {
	Peek(ctx context.Context) (pipeline.Peeked, error)
}

// Camera is what the Checker knows of one camera.
type Camera struct {
	ID     string
	Frames Frames
	Zones  []rules.ZoneRules
	// Changes are the zone rules watched by persistent change (types the
	// model has no class for).
	Changes []Change
}

// Change is a zone rule found by change against a reference picture.
type Change struct {
	Zone rules.Zone
	Rule rules.Rule
	// Reference is the reference picture's file (the pipeline's).
	Reference string
	// CellThreshold and MinFraction are the change watch's: a cell whose
	// correlation falls below CellThreshold changed; MinFraction of them
	// changed is a violation.
	CellThreshold, MinFraction float64
}

// Options configure a Checker. Detector and Reply are required.
type Options struct {
	Cameras []Camera
	// Detector is the pipeline's shared model; the Checker waits its turn.
	Detector pipeline.Detector
	// Annotator draws the annotated picture.
	Annotator evidence.Annotator
	// Reply sends an answer to the server (uplink.Client.Reply).
	Reply func(*xiuhuav1.EdgeMessage)
	// Looks is how many frames one re-check looks at; default 3.
	Looks int
	// Off answers every request UNAVAILABLE at once, so that a box whose
	// operator turned re-checks off leaves the case to a human without the
	// server waiting for its timeout.
	Off bool
	// DefaultTimeout is the time to look when the request names none;
	// default 20s. MaxTimeout caps what a request may ask; default 5m.
	DefaultTimeout, MaxTimeout time.Duration
	Log                        *slog.Logger
}

// Checker answers re-check requests. Close it before the detector.
type Checker struct {
	opts    Options
	log     *slog.Logger
	cameras map[string]Camera

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu       sync.Mutex
	inflight map[string]bool // request ids being looked at
}

// New returns a Checker.
func New(opts Options) *Checker {
	if opts.Looks <= 0 {
		opts.Looks = 3
	}
	if opts.DefaultTimeout <= 0 {
		opts.DefaultTimeout = 20 * time.Second
	}
	if opts.MaxTimeout <= 0 {
		opts.MaxTimeout = 5 * time.Minute
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	c := &Checker{opts: opts, log: opts.Log.With("component", "recheck"), cameras: map[string]Camera{}, inflight: map[string]bool{}}
	for _, cam := range opts.Cameras {
		c.cameras[cam.ID] = cam
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	return c
}

// Handle is an uplink.CommandHandler: it starts a check for each
// RecheckRequest, unless one for the same request id is still running (the
// server sends it again when an answer is slow), and ignores other kinds.
// The answer goes back through Reply.
func (c *Checker) Handle(_ context.Context, m *xiuhuav1.ServerMessage) {
	req := m.GetRecheck()
	if req == nil {
		return
	}
	c.mu.Lock()
	if c.inflight[req.RequestId] || c.ctx.Err() != nil {
		c.mu.Unlock()
		return
	}
	c.inflight[req.RequestId] = true
	c.wg.Add(1)
	c.mu.Unlock()
	go func() {
		defer c.wg.Done()
		defer func() {
			c.mu.Lock()
			delete(c.inflight, req.RequestId)
			c.mu.Unlock()
		}()
		res := c.Check(c.ctx, req)
		if c.ctx.Err() != nil {
			return // stopping: the server asks again after the restart
		}
		c.opts.Reply(&xiuhuav1.EdgeMessage{Msg: &xiuhuav1.EdgeMessage_RecheckResult{RecheckResult: res}})
	}()
}

// Close stops the checks in progress and waits for them.
func (c *Checker) Close() {
	c.mu.Lock()
	c.cancel()
	c.mu.Unlock()
	c.wg.Wait()
}
