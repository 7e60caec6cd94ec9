package ingest

import (
	"context"
	"errors"
	"time"

	"github.com/xiuhua/xiuhua/edge/clip"
)

// ErrNoRing is returned by Clip when the camera keeps no ring buffer
// (Config.RingDuration is 0).
var ErrNoRing = errors.New("camera keeps no ring buffer (ring_duration is 0)")

// Clip returns an MP4 (fragmented, remuxed without re-encoding) of this
// camera from t0-pre to t0+post, starting at the keyframe at or before
// t0-pre as far as the ring reaches back. It waits until the ring holds
// t0+post; when ctx ends first it returns what it has. t0 is wall-clock
// time, as in Frame.Captured. Safe from any goroutine while Run runs.
func (c *Camera) Clip(ctx context.Context, t0 time.Time, pre, post time.Duration) ([]byte, error) {
	if c.ring == nil {
		return nil, ErrNoRing
	}
	return c.ring.Clip(ctx, t0, pre, post)
}

// Ring is the camera's compressed-video ring buffer, nil when it keeps
// none. For callers that write clips themselves (clip.EncodeMP4).
func (c *Camera) Ring() *clip.Ring { return c.ring }
