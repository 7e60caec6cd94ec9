package pipeline

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"gocv.io/x/gocv"
)

// Peeker lends a copy of a camera's next frame to whoever asks (the AI
// re-check), without copying the frames nobody asked for: the camera loop
// looks for waiting requests at each frame, which costs one non-blocking
// channel receive when there are none.
type Peeker struct {
	reqs chan *peekReq
}

// peekReq is one caller's wait for a frame. Whichever of the camera loop
// (serving) and the caller (giving up) comes first decides, under mu, so a
// frame cloned for a caller that left is closed rather than leaked.
type peekReq struct {
	mu    sync.Mutex
	done  bool
	reply chan Peeked // buffered 1
}

// Peeked is a frame lent by Peek; the caller owns Image and must Close it.
type Peeked struct {
	Image    gocv.Mat
	Captured time.Time
}

// NewPeeker returns a Peeker; set it as Camera.Peek before Run.
func NewPeeker() *Peeker { return &Peeker{reqs: make(chan *peekReq, 16)} }

// Peek waits for the camera's next frame and returns a copy of it, or
// ctx's error when none comes in time (the camera is down or stopped).
func (p *Peeker) Peek(ctx context.Context) (Peeked, error) {
	r := &peekReq{reply: make(chan Peeked, 1)}
	select {
	case p.reqs <- r:
	case <-ctx.Done():
		return Peeked{}, ctx.Err()
	}
	select {
	case f := <-r.reply:
		return f, nil
	case <-ctx.Done():
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.done { // served meanwhile: the copy is ours to free
			f := <-r.reply
			f.Image.Close()
		}
		r.done = true
		return Peeked{}, ctx.Err()
	}
}

// serve hands a copy of f to every caller waiting now. A nil Peeker serves
// nobody. A frame that is a decoded picture is converted to BGR only when
// someone waits.
func (p *Peeker) serve(f *view, log *slog.Logger) {
	if p == nil {
		return
	}
	for {
		select {
		case r := <-p.reqs:
			img, err := f.bgr()
			if err != nil {
				log.Warn("frame for a re-check", "err", err)
				return // the caller waits for a later frame
			}
			r.mu.Lock()
			if !r.done {
				r.done = true
				r.reply <- Peeked{Image: img.Clone(), Captured: f.f.Captured}
			}
			r.mu.Unlock()
		default:
			return
		}
	}
}
