package detect

import (
	"errors"
	"sync"

	"gocv.io/x/gocv"
)

// Pool is a Detector made of several loaded copies of one model, so that
// up to that many frames (from different cameras) run at once. A single
// model instance runs one frame at a time; on a box whose cores a single
// inference cannot fill (model.threads: 1 on 2–8 cores), the detector
// was the edge's bottleneck with most of the CPU idle. Each copy costs the
// model's memory once more.
type Pool struct {
	dets []Detector
	free chan Detector
	done chan struct{}
	once sync.Once
	err  error
}

// ErrPoolClosed is returned by a Pool's Detect after Close.
var ErrPoolClosed = errors.New("detector pool closed")

// NewPool pools dets, copies of one model (the first's Info describes
// them all); it takes them over and closes them at Close.
func NewPool(dets []Detector) *Pool {
	p := &Pool{dets: dets, free: make(chan Detector, len(dets)), done: make(chan struct{})}
	for _, d := range dets {
		p.free <- d
	}
	return p
}

// Size is how many frames may run at once.
func (p *Pool) Size() int { return len(p.dets) }

// take waits for a free copy, or fails once the pool is closed.
func (p *Pool) take() (Detector, error) {
	select {
	case <-p.done:
		return nil, ErrPoolClosed
	default:
	}
	select {
	case d := <-p.free:
		return d, nil
	case <-p.done:
		return nil, ErrPoolClosed
	}
}

// Detect runs img on a free copy, waiting for one.
func (p *Pool) Detect(img gocv.Mat) ([]Detection, error) {
	d, err := p.take()
	if err != nil {
		return nil, err
	}
	defer func() { p.free <- d }()
	return d.Detect(img)
}

// DetectBatch runs imgs on one free copy.
func (p *Pool) DetectBatch(imgs []gocv.Mat) ([][]Detection, error) {
	d, err := p.take()
	if err != nil {
		return nil, err
	}
	defer func() { p.free <- d }()
	return d.DetectBatch(imgs)
}

// Info identifies the model.
func (p *Pool) Info() ModelInfo { return p.dets[0].Info() }

// Close waits for the frames running to finish, then closes every copy.
// Later Detects fail; Close is idempotent.
func (p *Pool) Close() error {
	p.once.Do(func() {
		close(p.done)
		for range p.dets {
			d := <-p.free
			p.err = errors.Join(p.err, d.Close())
		}
	})
	return p.err
}
