package decode

import (
	"image"
	"sync"

	"gocv.io/x/gocv"
)

// MatPool keeps BGR Mats of the sizes a box converts to again and again
// (the model's input, its tiles) for reuse. A 416×416 BGR Mat is just over
// the 512 KiB above which the C allocator maps fresh pages for every
// allocation (ReturnFreedPictures): without reuse each look's inputs cost
// a map, a page fault per 4 KiB and an unmap. Safe for concurrent use;
// it holds at most max Mats, box-wide, not per camera.
type MatPool struct {
	mu   sync.Mutex
	max  int
	free map[image.Point][]gocv.Mat
	n    int
}

// NewMatPool returns a pool that keeps at most max Mats.
func NewMatPool(max int) *MatPool { return &MatPool{max: max, free: map[image.Point][]gocv.Mat{}} }

// Get returns a BGR 8UC3 Mat of size, reused when one is free. Its pixels
// are whatever they were: the caller overwrites them.
func (p *MatPool) Get(size image.Point) gocv.Mat {
	if p != nil {
		p.mu.Lock()
		if l := p.free[size]; len(l) > 0 {
			m := l[len(l)-1]
			p.free[size] = l[:len(l)-1]
			p.n--
			p.mu.Unlock()
			return m
		}
		p.mu.Unlock()
	}
	return gocv.NewMatWithSize(size.Y, size.X, gocv.MatTypeCV8UC3)
}

// Put gives m back for reuse, or closes it when the pool is full (or nil).
// m must be a whole Mat from Get, not a region of one.
func (p *MatPool) Put(m gocv.Mat) {
	if p == nil {
		m.Close()
		return
	}
	size := image.Pt(m.Cols(), m.Rows())
	p.mu.Lock()
	if p.n < p.max && m.Type() == gocv.MatTypeCV8UC3 {
		p.free[size] = append(p.free[size], m)
		p.n++
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	m.Close()
}

// Len is how many Mats the pool holds.
func (p *MatPool) Len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.n
}

// Close frees the Mats the pool holds.
func (p *MatPool) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for k, l := range p.free {
		for _, m := range l {
			m.Close()
		}
		delete(p.free, k)
	}
	p.n = 0
}
