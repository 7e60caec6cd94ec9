package ingest

import (
	"sync/atomic"
	"time"

	"github.com/xiuhua/xiuhua/edge/decode"
)

// pendingKey is a keyframe handed out before it is decoded
// (Config.DecodeAtTurn): Frame.Ready decodes it when the receiver's turn
// to look comes. A camera waiting for its turn then holds tens of KB of
// compressed keyframe rather than a 3 MB picture, a keyframe replaced by a
// newer one while it waits is never decoded, and the box decodes no more
// pictures at once than it looks at: on a box whose cameras' keyframes
// arrive together, dozens of decodes no longer crowd out the detector.
type pendingKey struct {
	key      *decode.Keyframe
	cam      *Camera
	pictures bool
	width    int
	height   int
	first    *atomic.Bool // the session's "decoded any picture"
}

// deferKeyframe hands out the keyframe au undecoded. kept is the ring's
// copy of au, when there is one.
func (p *auPath) deferKeyframe(now time.Time, pts time.Duration, au [][]byte, size int, kept [][]byte) {
	c := p.cam
	p.dec.Remember(au)
	// The camera's own decoder decodes nothing while keyframes are
	// deferred; trimmed, it puts the remembered parameter sets before the
	// first keyframe it gets when a GOP is decoded in full again (a camera
	// may send them only in the SDP).
	p.dec.Trim()
	key := p.keyframe(au, size, kept)
	p.alive.Store(now.UnixNano())
	f := Frame{CameraID: c.cfg.ID, Captured: now, Seq: c.seq.Add(1), pending: &pendingKey{
		key: key, cam: c, pictures: c.cfg.Pictures, width: c.cfg.Width, height: c.cfg.Height, first: &p.decodedAny,
	}}
	c.setLag(p.lag(time.Now(), pts))
	c.deliver(f)
}

// Ready decodes a frame that was handed out undecoded
// (Config.DecodeAtTurn); after it Picture or Image is set as for any
// other frame. It does nothing for a decoded frame. A failure is counted
// in the camera's decode errors and logged (rate-limited); the frame then
// has no picture, and Close is still safe.
func (f *Frame) Ready() error {
	p := f.pending
	if p == nil {
		return nil
	}
	f.pending = nil
	c := p.cam
	var err error
	if p.pictures {
		f.Picture, err = p.key.Picture()
	} else {
		f.Image, err = p.key.BGR(p.width, p.height)
	}
	if err != nil {
		c.decodeErrors.add(1)
		c.warnDecode(p.key.Codec.String()+" decode error", err)
		return err
	}
	c.framesDecoded.add(1)
	if p.first.CompareAndSwap(false, true) {
		w, h := f.Size()
		c.log.Info("first picture", "codec", p.key.Codec.String(), "width", w, "height", h)
	}
	return nil
}
