package config

import (
	"time"

	"github.com/xiuhua/xiuhua/internal/conf"
)

// Fleet is how the box shares itself between many cameras (docs/fleet.md).
type Fleet struct {
	// StartStagger delays each camera's start by this much after the one
	// before it, so that K cameras do not connect, negotiate and decode
	// their first keyframes in the same second.
	StartStagger conf.Duration `yaml:"start_stagger"`
	// RingBufferTotalBytes caps the ring buffers of all cameras together:
	// each camera's ring gets at most an even share of it (and at most its
	// own ring_buffer_bytes). 0: no box-wide cap.
	RingBufferTotalBytes int64 `yaml:"ring_buffer_total_bytes"`
	// ParallelLooks is how many looks (model runs) may run at once, each
	// on its own loaded copy of the model. 0 (auto): one per
	// model.threads cores when model.threads is set (a 2-core box with
	// threads 1 runs two), else one, since the runtime's default threads
	// already fill every core.
	ParallelLooks int `yaml:"parallel_looks"`
}

// maxParallelLooks bounds fleet.parallel_looks: each look holds a copy of
// the model.
const maxParallelLooks = 16

// Limits of the fleet settings.
const (
	maxStartStagger = 10 * time.Second
	// maxRingBytes is far above any sensible ring (10 min of 16 Mbit/s is
	// 1.2 GB) and keeps an int on 32-bit boxes from overflowing.
	maxRingBytes = 1 << 30
)

func defaultFleet() Fleet {
	return Fleet{StartStagger: conf.Duration(100 * time.Millisecond)}
}

// validate checks the fleet section.
func (f *Fleet) validate(errs *conf.Errors) {
	if d := f.StartStagger.D(); d < 0 || d > maxStartStagger {
		errs.Add("fleet.start_stagger", f.StartStagger.String(), "a duration from 0 to 10s between two cameras' starts")
	}
	if f.RingBufferTotalBytes < 0 {
		errs.Add("fleet.ring_buffer_total_bytes", f.RingBufferTotalBytes, "0 (no box-wide cap) or a number of bytes")
	}
	if f.ParallelLooks < 0 || f.ParallelLooks > maxParallelLooks {
		errs.Add("fleet.parallel_looks", f.ParallelLooks, "0 (auto: cores ÷ model.threads, or 1 without model.threads) to 16")
	}
}

// Looks is how many looks run at once: fleet.parallel_looks, or when it
// is 0 the cores divided by model.threads (at least 1, at most 8), or 1
// when model.threads is 0.
func (c *Config) Looks(cores int) int {
	if n := c.Fleet.ParallelLooks; n > 0 {
		return n
	}
	if c.Model.Threads <= 0 {
		return 1
	}
	return min(max(cores/c.Model.Threads, 1), 8)
}

// validateRingBytes checks a camera's ring_buffer_bytes.
func validateRingBytes(errs *conf.Errors, p string, cam Camera) {
	if cam.RingBufferBytes < 0 || cam.RingBufferBytes > maxRingBytes {
		errs.Add(p+".ring_buffer_bytes", cam.RingBufferBytes, "0 (the default, 32 MiB) to 1073741824 bytes")
	}
}

// RingBytes is the byte cap of camera i's ring buffer: its own
// ring_buffer_bytes, lowered to an even share of the box-wide cap; 0 means
// the clip package's default.
func (c *Config) RingBytes(i int) int {
	own := c.Cameras[i].RingBufferBytes
	total := c.Fleet.RingBufferTotalBytes
	if total <= 0 {
		return own
	}
	share := int(min(total/int64(len(c.Cameras)), maxRingBytes))
	if own <= 0 || share < own {
		// A share of 0 bytes still keeps one GOP: the ring never drops
		// the GOP it is filling.
		return max(share, 1)
	}
	return own
}
