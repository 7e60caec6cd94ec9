package pipeline

import (
	"math"
	"time"

	"gocv.io/x/gocv"

	"github.com/xiuhua/xiuhua/edge/decode"
	"github.com/xiuhua/xiuhua/edge/track"
	"github.com/xiuhua/xiuhua/edge/vision"
)

// maxBestFrames bounds the frames kept per camera: each is a full frame
// (1.3 MB at 768×576, 6 MB at 1080p) when the camera hands out BGR; from
// decoded pictures it is the keyframe (tens of KB) or the YUV picture.
const maxBestFrames = 16

// bestFrame is the clearest sighting of one tracked object so far: img
// from a camera that hands out BGR, still from one that hands out decoded
// pictures (converted only when a violation needs it).
type bestFrame struct {
	img      gocv.Mat
	still    *decode.Still
	box      vision.Box
	score    float32
	at       time.Time
	quality  float64
	lastSeen time.Time
}

// bestFrames keeps, per track that a rule watches, the frame where the
// object was seen best — highest score, then largest — because the frame
// that completes the dwell is often one where a passer-by half hides it.
type bestFrames struct {
	byTrack map[uint64]*bestFrame
	maxAge  time.Duration
}

func newBestFrames(maxAge time.Duration) *bestFrames {
	return &bestFrames{byTrack: map[uint64]*bestFrame{}, maxAge: maxAge}
}

// quality ranks sightings: the score matters most, size breaks ties
// between confident ones (a bigger picture of a stall is better evidence).
func quality(t track.Track) float64 {
	b := t.Box
	area := math.Max(float64((b.X2-b.X1)*(b.Y2-b.Y1)), 1)
	return float64(t.Score) * math.Sqrt(area)
}

// offer considers frame for the watched tracks seen in it.
func (bf *bestFrames) offer(at time.Time, frame *view, seen []track.Track, watched func(class string) bool) {
	for _, t := range seen {
		if !watched(t.Class) {
			continue
		}
		q := quality(t)
		cur := bf.byTrack[t.ID]
		if cur != nil {
			cur.lastSeen = at
			if q <= cur.quality {
				continue
			}
		} else {
			if len(bf.byTrack) >= maxBestFrames {
				continue // the oldest entries expire below; new objects wait
			}
			cur = &bestFrame{img: gocv.NewMat()}
		}
		if err := cur.keep(frame); err != nil {
			if bf.byTrack[t.ID] != cur {
				cur.close() // nothing kept for a new object
			}
			continue // the older sighting stays
		}
		bf.byTrack[t.ID] = cur
		cur.box, cur.score, cur.at, cur.quality, cur.lastSeen = t.Box, t.Score, at, q, at
	}
	for id, b := range bf.byTrack {
		if at.Sub(b.lastSeen) > bf.maxAge {
			b.close()
			delete(bf.byTrack, id)
		}
	}
}

// keep makes frame this sighting's picture.
func (b *bestFrame) keep(frame *view) error {
	if frame.f.Picture == nil {
		frame.full.CopyTo(&b.img)
		return nil
	}
	s, err := frame.f.Picture.Keep()
	if err != nil {
		return err
	}
	b.still.Close()
	b.still = s
	return nil
}

// bgr is the sighting's picture; done frees what it converted.
func (b *bestFrame) bgr() (img gocv.Mat, done func(), err error) {
	if b.still == nil {
		return b.img, func() {}, nil
	}
	m, err := b.still.BGR()
	if err != nil {
		return gocv.Mat{}, nil, err
	}
	return m, func() { m.Close() }, nil
}

// copy is a copy of the sighting that outlives it (for an evidence job).
func (b *bestFrame) copy() *bestFrame {
	cp := *b
	cp.img = b.img.Clone()
	cp.still = b.still.Clone()
	return &cp
}

func (b *bestFrame) close() {
	b.img.Close()
	b.still.Close()
}

// get returns the best sighting of track id, if kept.
func (bf *bestFrames) get(id uint64) (*bestFrame, bool) {
	b, ok := bf.byTrack[id]
	return b, ok
}

func (bf *bestFrames) close() {
	for id, b := range bf.byTrack {
		b.close()
		delete(bf.byTrack, id)
	}
}
