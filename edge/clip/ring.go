package clip

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// DefaultMaxBytes bounds one ring's memory when the caller sets no limit:
// 30 s of a 8 Mbit/s 1080p stream.
const DefaultMaxBytes = 32 << 20

// ErrNoVideo means the ring holds nothing for the asked time.
var ErrNoVideo = errors.New("no video in the ring for that time")

// Ring keeps the last Duration of a stream, starting at a keyframe. Safe for
// one writer and any number of readers.
type Ring struct {
	duration time.Duration
	maxBytes int

	mu     sync.Mutex
	pkts   []Packet
	bytes  int
	params Params
	// changed is closed by the next Push; made only when a Clip waits, so
	// a Push with nobody waiting allocates nothing but the packet.
	changed chan struct{}
}

// NewRing keeps at least d of video (whole GOPs, so up to one GOP more),
// and at most maxBytes (0: DefaultMaxBytes), dropping the oldest GOPs first.
func NewRing(d time.Duration, maxBytes int) *Ring {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	return &Ring{duration: d, maxBytes: maxBytes}
}

// SetParams records the parameter sets clips start with (from the SDP or
// in-band); sets left nil keep their old value.
func (r *Ring) SetParams(p Params) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.params.Codec = p.Codec
	if p.VPS != nil {
		r.params.VPS = p.VPS
	}
	if p.SPS != nil {
		r.params.SPS = p.SPS
	}
	if p.PPS != nil {
		r.params.PPS = p.PPS
	}
}

// Push appends an access unit. Packets before the first keyframe are
// dropped: nothing could decode them.
func (r *Ring) Push(p Packet) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.pkts) == 0 && !p.Key {
		return
	}
	r.pkts = append(r.pkts, p)
	r.bytes += p.size()
	r.trim()
	if r.changed != nil {
		close(r.changed)
		r.changed = nil
	}
}

// trim drops the oldest GOP while what is left still covers the duration,
// or while the ring is over its byte budget (keeping at least one GOP).
func (r *Ring) trim() {
	for {
		next := r.nextKey(1)
		if next < 0 {
			return
		}
		newest := r.pkts[len(r.pkts)-1].Time
		if r.bytes <= r.maxBytes && newest.Sub(r.pkts[next].Time) < r.duration {
			return
		}
		for _, p := range r.pkts[:next] {
			r.bytes -= p.size()
		}
		// Copy down so the backing array does not grow without bound.
		n := copy(r.pkts, r.pkts[next:])
		clear(r.pkts[n:])
		r.pkts = r.pkts[:n]
	}
}

// nextKey is the index of the first keyframe at or after from, or -1.
func (r *Ring) nextKey(from int) int {
	for i := from; i < len(r.pkts); i++ {
		if r.pkts[i].Key {
			return i
		}
	}
	return -1
}

// Span is the wall-clock time of the oldest and newest packets; zero times
// when empty.
func (r *Ring) Span() (oldest, newest time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.pkts) == 0 {
		return time.Time{}, time.Time{}
	}
	return r.pkts[0].Time, r.pkts[len(r.pkts)-1].Time
}

// Len is the number of packets held.
func (r *Ring) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.pkts)
}

// Bytes is the memory the packets hold, roughly.
func (r *Ring) Bytes() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.bytes
}

// Select returns the packets from the last keyframe at or before from
// (the oldest keyframe if from is older than the ring) up to and including
// the last packet at or before to, with the parameter sets.
func (r *Ring) Select(from, to time.Time) ([]Packet, Params, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	start := -1
	for i, p := range r.pkts {
		if p.Time.After(from) && start >= 0 {
			break
		}
		if p.Key {
			start = i
		}
	}
	if start < 0 {
		return nil, r.params, ErrNoVideo
	}
	end := start
	for end < len(r.pkts) && !r.pkts[end].Time.After(to) {
		end++
	}
	if end == start {
		return nil, r.params, ErrNoVideo
	}
	return append([]Packet(nil), r.pkts[start:end]...), r.params, nil
}

// Clip waits until the ring holds video up to t0+post (or ctx ends, in
// which case it uses what it has), then returns an MP4 of t0-pre to
// t0+post, starting at the keyframe before t0-pre.
func (r *Ring) Clip(ctx context.Context, t0 time.Time, pre, post time.Duration) ([]byte, error) {
	from, to := t0.Add(-pre), t0.Add(post)
	for {
		r.mu.Lock()
		covered := len(r.pkts) > 0 && !r.pkts[len(r.pkts)-1].Time.Before(to)
		if r.changed == nil {
			r.changed = make(chan struct{})
		}
		changed := r.changed
		r.mu.Unlock()
		if covered {
			break
		}
		select {
		case <-ctx.Done():
		case <-changed:
			continue
		}
		break
	}
	pkts, params, err := r.Select(from, to)
	if err != nil {
		return nil, fmt.Errorf("clip %s..%s: %w", from.Format(time.RFC3339Nano), to.Format(time.RFC3339Nano), err)
	}
	return EncodeMP4(params, pkts)
}
