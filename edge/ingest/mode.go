package ingest

import (
	"slices"
	"time"
)

// DecodeMode says which access units are decoded.
type DecodeMode string

// Decode modes.
const (
	// DecodeAuto decodes only keyframes when the detect rate is at or below
	// the keyframe rate measured from the stream, and everything otherwise.
	// Until two keyframes have been seen it decodes keyframes only: a box
	// starting many cameras at once must not start them all in the
	// expensive mode (it would never get to measure their keyframes), and
	// the first keyframe is enough to begin looking. While the box is
	// overloaded it stays with keyframes.
	DecodeAuto DecodeMode = "auto"
	// DecodeKeyframes decodes only keyframes (and of those only as many as
	// the detect rate asks for); the others are never fed to the decoder.
	// The cheapest mode: a GOP of 50 costs one decode instead of 50.
	DecodeKeyframes DecodeMode = "keyframes"
	// DecodeAll decodes every access unit and hands out DetectFPS of them.
	DecodeAll DecodeMode = "all"
)

func (m DecodeMode) valid() bool {
	return m == DecodeAuto || m == DecodeKeyframes || m == DecodeAll
}

// keyframeMeter measures the time between keyframes on the camera's clock.
type keyframeMeter struct {
	last     time.Duration
	haveLast bool
	recent   [5]time.Duration // the last intervals, a ring; 0: empty slot
	next     int
	interval time.Duration // median of recent; 0 until two keyframes were seen
}

// key records a keyframe at stream time pts.
func (k *keyframeMeter) key(pts time.Duration) {
	if k.haveLast {
		d := pts - k.last
		// A jump (loop, reconnect, broken clock) is not an interval.
		if d > 0 && d < 2*time.Minute {
			k.recent[k.next] = d
			k.next = (k.next + 1) % len(k.recent)
			k.interval = k.median()
		}
	}
	k.last, k.haveLast = pts, true
}

// median of the recent intervals: a keyframe lost on the network (one
// interval twice as long) or a scene-cut keyframe (one short) does not
// move it, where an average would push a 0.5 fps look on a 2 s GOP over
// the line into decoding every frame.
func (k *keyframeMeter) median() time.Duration {
	var v []time.Duration
	for _, d := range k.recent {
		if d > 0 {
			v = append(v, d)
		}
	}
	slices.Sort(v)
	// The lower median of an even count: with two intervals, one of them
	// long because a keyframe was lost, the short one is the GOP.
	return v[(len(v)-1)/2]
}

// reset forgets the last keyframe (a new session has another clock) but
// keeps the measured interval: the camera's GOP is unlikely to change.
func (k *keyframeMeter) reset() { k.haveLast = false }

// keyframesOnly decides, at a keyframe, whether the next GOP is decoded
// keyframes-only. fullOK false keeps auto mode from decoding everything
// (the box is overloaded; see Config.FullDecodeOK).
func keyframesOnly(mode DecodeMode, detectFPS float64, interval time.Duration, fullOK bool) bool {
	switch mode {
	case DecodeKeyframes:
		return true
	case DecodeAll:
		return false
	}
	if detectFPS <= 0 {
		return false // every frame wanted
	}
	if interval <= 0 || !fullOK {
		return true
	}
	// detect rate <= keyframe rate, i.e. detect period >= keyframe period,
	// with 10 % slack for a measured interval pulled up by a late or
	// missing keyframe: 1 fps on a 1 s GOP is keyframes-only.
	return float64(time.Second)/detectFPS >= 0.9*float64(interval)
}
