package ingest

import (
	"fmt"
	"sync/atomic"
	"time"

	"gocv.io/x/gocv"

	"github.com/xiuhua/xiuhua/edge/clip"
	"github.com/xiuhua/xiuhua/edge/decode"
)

// videoDecoder is what the access-unit path needs from edge/decode.
type videoDecoder interface {
	Decode(au [][]byte) (ok bool, err error)
	BGRResized(width, height int) (gocv.Mat, error)
	Picture() (*decode.Picture, error)
	ParamSets() [][]byte
	Remember(au [][]byte)
	Size() (width, height int)
	SetIntraOnly(on bool)
	Trim()
	Close()
}

// auPath takes one session's access units from the depacketizer to the
// hand-off: ring buffer, keyframe measurement, decode-mode choice, decode,
// sampling, colour conversion. It knows nothing of RTSP, so the fuzz tests
// drive it directly. Not safe for concurrent use; the session serialises.
type auPath struct {
	cam     *Camera
	codec   decode.Codec
	dec     videoDecoder
	session uint64
	// params are the SDP's parameter sets, put before the first keyframe
	// for cameras that never send them in band (libav refuses a packet of
	// parameter sets alone).
	params  [][]byte
	waitKey bool // drop access units until the first random access one
	keyOnly bool // this GOP is decoded keyframes-only
	// interval is the keyframe interval the decode mode was chosen for.
	interval time.Duration

	// Lag anchor: the wall time and camera time of the earliest-looking
	// access unit; a unit handled later than the camera's clock says is
	// behind by the difference.
	anchorWall time.Time
	anchorPTS  time.Duration
	anchored   bool
	start      time.Time // session start: the zero of the arrival clock
	rtpClock   bool      // pts come from RTP timestamps, not arrival

	alive      atomic.Int64 // unix ns of the last picture or deliberately skipped unit
	decodedAny atomic.Bool
}

func newAUPath(c *Camera, codec decode.Codec, dec videoDecoder, params [][]byte, session uint64) *auPath {
	p := &auPath{cam: c, codec: codec, dec: dec, params: params, session: session, waitKey: true, start: time.Now()}
	p.alive.Store(time.Now().UnixNano())
	if c.ring != nil {
		c.ring.SetParams(clipParams(codec, params))
	}
	c.setCodec(codec)
	c.meter.reset()
	c.health.wall.reset()
	return p
}

// handle processes one access unit that arrived at now with presentation
// time pts (hasPTS false: unknown). It never panics on bad input; problems
// are counted in DecodeErrors.
func (p *auPath) handle(now time.Time, pts time.Duration, hasPTS bool, au [][]byte) {
	c := p.cam
	c.framesReceived.add(1)
	au, size, ok := p.admit(au)
	if !ok {
		return
	}
	pts = p.clock(now, pts, hasPTS)

	key := isKeyframe(p.codec, au)
	c.sample.floor = time.Duration(c.lookLimit.Load())
	if key {
		c.meter.key(pts)
		interval := c.checkKeyframe(now, c.meter.interval)
		p.interval = interval
		p.keyOnly = keyframesOnly(c.cfg.DecodeMode, c.cfg.DetectFPS, interval, c.fullDecodeOK())
		c.noteKeyframe(interval, p.keyOnly)
		// Decided before this keyframe is decoded, so a keyframe that
		// starts a fully decoded GOP is decoded with the loop filter.
		p.dec.SetIntraOnly(p.keyOnly)
	}
	var kept [][]byte // the ring's copy of au, shared with a kept keyframe
	if c.ring != nil {
		kept = copyAU(au, size)
		c.ring.Push(clip.Packet{Time: now, PTS: pts, Session: p.session, Key: key, AU: kept})
	}

	if !key {
		c.checkNoKeyframe(now, p.interval)
	}
	if p.waitKey {
		// Before the first keyframe the decoder has no reference pictures;
		// its output would be garbage or errors.
		if !key {
			return
		}
		p.waitKey = false
		if p.params != nil && !hasParams(p.codec, au) {
			au = append(append([][]byte{}, p.params...), au...)
		}
	}
	if p.keyOnly && (!key || !c.sample.takeEarly(now, p.interval/4)) {
		// Keyframes-only: the unit is never fed to the decoder. The stream
		// is alive; it is just not needed.
		c.framesSkipped.add(1)
		p.alive.Store(now.UnixNano())
		return
	}
	if p.keyOnly && c.cfg.DecodeAtTurn {
		p.deferKeyframe(now, pts, au, size, kept)
		return
	}

	p.decodeAndDeliver(now, pts, au, size, kept)
}

// admit drops empty NAL units from au and rejects an access unit of no
// or too many bytes (counted as a decode error); size is its byte count.
func (p *auPath) admit(au [][]byte) (_ [][]byte, size int, ok bool) {
	// Empty NAL units carry nothing, and mediacommon's keyframe checks
	// index their first byte (found by FuzzAccessUnitPath).
	au = dropEmpty(au)
	for _, nalu := range au {
		size += len(nalu)
	}
	if size == 0 || size > decode.MaxAccessUnitBytes {
		// Checked before anything copies it: a hostile size must not make
		// the ring or the decoder allocate.
		p.cam.decodeErrors.add(1)
		p.cam.warnDecode("access unit rejected", fmt.Errorf("%d bytes: want 1..%d", size, decode.MaxAccessUnitBytes))
		return au, size, false
	}
	return au, size, true
}

// clock is the access unit's time on the clock in use (the camera's when
// hasPTS, else the arrival clock), with the lag anchor moved.
func (p *auPath) clock(now time.Time, pts time.Duration, hasPTS bool) time.Duration {
	if !hasPTS {
		// gortsplib knows a packet's time only from the first keyframe on;
		// until then the arrival clock stands in for the camera's.
		pts = now.Sub(p.start)
	}
	if hasPTS != p.rtpClock {
		// The clock changed: anchors and intervals of the old one mean
		// nothing on the new.
		p.rtpClock, p.anchored = hasPTS, false
		p.cam.meter.reset()
	}
	p.measureLag(now, pts)
	return pts
}

// decodeAndDeliver decodes au and hands out its picture when the sampler
// takes it.
func (p *auPath) decodeAndDeliver(now time.Time, pts time.Duration, au [][]byte, size int, kept [][]byte) {
	c := p.cam
	ok, err := p.dec.Decode(au)
	if err != nil {
		c.decodeErrors.add(1)
		c.warnDecode(p.codec.String()+" decode error", err)
		return
	}
	if !ok {
		return
	}
	c.framesDecoded.add(1)
	p.alive.Store(now.UnixNano())
	if p.decodedAny.CompareAndSwap(false, true) {
		w, h := p.dec.Size()
		c.log.Info("first picture", "codec", p.codec.String(), "width", w, "height", h)
	}
	if !p.keyOnly && !c.sample.take(now) {
		return
	}
	f, err := p.frame(now, au, size, kept)
	if p.keyOnly {
		// The next picture decoded starts from nothing: hold no decoder
		// memory until then (a Picture keeps its own reference).
		p.dec.Trim()
	}
	if err != nil {
		c.decodeErrors.add(1)
		c.warnDecode("BGR conversion error", err)
		return
	}
	c.setLag(p.lag(time.Now(), pts))
	c.deliver(f)
}

// frame makes the frame to hand out from the picture just decoded from au:
// BGR at the configured size, or the Picture itself. A keyframes-only
// picture remembers its keyframe (kept: the ring's copy of au, when there
// is one) so that a receiver keeping it for later holds the compressed
// keyframe rather than the picture.
func (p *auPath) frame(now time.Time, au [][]byte, size int, kept [][]byte) (Frame, error) {
	c := p.cam
	f := Frame{CameraID: c.cfg.ID, Captured: now}
	if !c.cfg.Pictures {
		img, err := p.dec.BGRResized(c.cfg.Width, c.cfg.Height)
		if err != nil {
			return f, err
		}
		f.Image = img
	} else {
		pic, err := p.dec.Picture()
		if err != nil {
			return f, err
		}
		if p.keyOnly {
			pic.SetKeyframe(p.keyframe(au, size, kept))
		}
		f.Picture = pic
	}
	f.Seq = c.seq.Add(1)
	return f, nil
}

// keyframe is the keyframe au alone, behind the parameter sets the
// decoder remembers: enough to decode it again from nothing. kept is the
// ring's copy of au, when there is one (shared, not copied again).
func (p *auPath) keyframe(au [][]byte, size int, kept [][]byte) *decode.Keyframe {
	if kept == nil {
		kept = copyAU(au, size)
	}
	return &decode.Keyframe{Codec: p.codec, AU: append(p.dec.ParamSets(), kept...)}
}

// measureLag moves the anchor to the access unit that arrived earliest
// relative to its timestamp: the best estimate of "on time".
func (p *auPath) measureLag(now time.Time, pts time.Duration) {
	if !p.anchored || p.lag(now, pts) < 0 {
		p.anchorWall, p.anchorPTS, p.anchored = now, pts, true
	}
}

// lag is how far behind the camera's clock an access unit of time pts is
// when handled at now.
func (p *auPath) lag(now time.Time, pts time.Duration) time.Duration {
	return now.Sub(p.anchorWall) - (pts - p.anchorPTS)
}

// copyAU copies an access unit into one allocation, so the ring never
// shares memory with the depacketizer.
func copyAU(au [][]byte, size int) [][]byte {
	buf := make([]byte, 0, size)
	out := make([][]byte, 0, len(au))
	for _, nalu := range au {
		start := len(buf)
		buf = append(buf, nalu...)
		out = append(out, buf[start:len(buf):len(buf)])
	}
	return out
}

// dropEmpty returns au without empty NAL units, allocating only when there
// are some.
func dropEmpty(au [][]byte) [][]byte {
	for i, nalu := range au {
		if len(nalu) == 0 {
			out := append([][]byte(nil), au[:i]...)
			for _, n := range au[i+1:] {
				if len(n) > 0 {
					out = append(out, n)
				}
			}
			return out
		}
	}
	return au
}
