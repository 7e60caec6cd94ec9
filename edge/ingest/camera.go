package ingest

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"gocv.io/x/gocv"

	"github.com/xiuhua/xiuhua/edge/clip"
	"github.com/xiuhua/xiuhua/edge/decode"
	"github.com/xiuhua/xiuhua/internal/backoff"
)

// Frame is one sampled picture.
type Frame struct {
	CameraID string
	Seq      uint64    // counts frames handed out, from 1, across reconnects
	Captured time.Time // wall clock when the access unit arrived
	Image    gocv.Mat  // BGR 8UC3; the receiver owns it and must Close it
	// Picture, when Config.Pictures is set, is the decoded picture instead
	// of Image (which is then empty): the receiver converts only the parts
	// it needs, at the sizes it needs. The receiver owns it.
	Picture *decode.Picture
	// pending is a keyframe not decoded yet (Config.DecodeAtTurn): the
	// receiver calls Ready before it looks.
	pending *pendingKey
}

// Close frees the frame's picture, whichever form it has.
func (f Frame) Close() {
	if f.pending != nil {
		return // nothing decoded: the keyframe's bytes are the GC's
	}
	if f.Picture != nil {
		f.Picture.Close()
		return
	}
	f.Image.Close()
}

// Size is the frame's size in pixels.
func (f Frame) Size() (width, height int) {
	if f.pending != nil {
		return 0, 0 // not decoded yet
	}
	if f.Picture != nil {
		s := f.Picture.Size()
		return s.X, s.Y
	}
	return f.Image.Cols(), f.Image.Rows()
}

// How often repeated warnings of one kind may be logged per camera.
const (
	warnEvery        = 10 * time.Second
	sessionWarnEvery = 30 * time.Second
)

// Camera ingests one RTSP stream. Make it with NewCamera, call Run once,
// read Frames.
type Camera struct {
	cfg     Config
	log     *slog.Logger
	metrics *Metrics
	out     handoff
	started atomic.Bool

	seq atomic.Uint64

	// Owned by the running session's packet path (one at a time); kept on
	// the camera so the measured GOP and the sampling schedule survive a
	// reconnect.
	meter  keyframeMeter
	sample *sampler
	// ring holds the last RingDuration of compressed video; nil when off.
	ring    *clip.Ring
	session atomic.Uint64
	// health is owned by the packet path like meter; lookLimit is the
	// sampling interval floor the look scheduler asks for (ns, 0: none).
	health    keyHealth
	lookLimit atomic.Int64

	framesReceived, framesDecoded, framesDropped counter
	framesSkipped                                counter
	decodeErrors, reconnects                     counter
	bytesReceived, packetsLost                   counter

	mu            sync.Mutex // guards the fields below
	state         State
	lastError     string
	lastErrorTime time.Time
	codec         string
	keyInterval   time.Duration
	keyOnly       bool
	lag           time.Duration
	problem       string

	sessionWarn logLimiter // connection failures
	decodeWarn  logLimiter // broken packets and pictures
	lossWarn    logLimiter // RTP packet loss
}

// NewCamera makes a camera from cfg, filling zero fields with defaults.
// logger may be nil (slog.Default); m may be nil (metrics not exported).
// The config is checked by Run; call cfg.Validate first to reject it early.
func NewCamera(cfg Config, logger *slog.Logger, m *Metrics) *Camera {
	cfg = cfg.withDefaults()
	if logger == nil {
		logger = slog.Default()
	}
	if m == nil {
		m = NewMetrics(nil)
	}
	id := cfg.ID
	c := &Camera{
		cfg:         cfg,
		log:         logger.With("component", "ingest", "camera", id),
		metrics:     m,
		out:         newHandoff(),
		sessionWarn: logLimiter{every: sessionWarnEvery},
		decodeWarn:  logLimiter{every: warnEvery},
		lossWarn:    logLimiter{every: warnEvery},
		sample:      newSampler(cfg.DetectFPS),
	}
	if cfg.RingDuration > 0 {
		c.ring = clip.NewRing(cfg.RingDuration, cfg.RingMaxBytes)
	}
	c.framesReceived.prom = m.framesReceived.WithLabelValues(id)
	c.framesDecoded.prom = m.framesDecoded.WithLabelValues(id)
	c.framesDropped.prom = m.framesDropped.WithLabelValues(id)
	c.framesSkipped.prom = m.framesSkipped.WithLabelValues(id)
	c.decodeErrors.prom = m.decodeErrors.WithLabelValues(id)
	c.reconnects.prom = m.reconnects.WithLabelValues(id)
	c.bytesReceived.prom = m.bytesReceived.WithLabelValues(id)
	c.packetsLost.prom = m.packetsLost.WithLabelValues(id)
	c.publishState(StateConnecting)
	return c
}

// Frames delivers sampled frames. It holds at most one: a frame nobody takes
// is replaced by the next (its Mat closed, counted in FramesDropped), so a
// slow consumer never blocks ingest. It is closed when Run returns.
func (c *Camera) Frames() <-chan Frame { return c.out.ch }

// Status is a snapshot; safe from any goroutine.
func (c *Camera) Status() Status {
	c.mu.Lock()
	st := Status{State: c.state, LastError: c.lastError, LastErrorTime: c.lastErrorTime,
		Codec: c.codec, KeyframeInterval: c.keyInterval, KeyframesOnly: c.keyOnly, Lag: c.lag,
		Problem: c.problem}
	c.mu.Unlock()
	st.FramesSkipped = c.framesSkipped.load()
	st.FramesReceived = c.framesReceived.load()
	st.FramesDecoded = c.framesDecoded.load()
	st.FramesDropped = c.framesDropped.load()
	st.DecodeErrors = c.decodeErrors.load()
	st.Reconnects = c.reconnects.load()
	st.BytesReceived = c.bytesReceived.load()
	st.PacketsLost = c.packetsLost.load()
	return st
}

// Run connects and keeps the camera connected until ctx is done, retrying
// with back-off; it never gives up on a camera that may come back. It
// returns after closing everything it opened, Frames included. Call it once.
func (c *Camera) Run(ctx context.Context) {
	if !c.started.CompareAndSwap(false, true) {
		panic("ingest: Camera.Run called twice")
	}
	defer func() {
		c.framesDropped.add(uint64(c.out.close()))
		c.log.Info("camera stopped")
	}()

	if err := c.cfg.Validate(); err != nil {
		// Retrying cannot fix a config; wait to be stopped, with the reason
		// in Status for the operator.
		c.fail(err)
		c.setState(StateRetrying)
		c.log.Error("camera not started", "err", err)
		<-ctx.Done()
		return
	}
	c.log.Info("camera starting", "url", redactedURL(c.cfg.URL), "transport", c.cfg.Transport, "detect_fps", c.cfg.DetectFPS,
		"decode_mode", string(c.cfg.DecodeMode), "width", c.cfg.Width, "height", c.cfg.Height)

	b := backoff.Backoff{Min: c.cfg.RetryMin, Max: c.cfg.RetryMax}
	for {
		c.setState(StateConnecting)
		streamed, err := c.runSession(ctx)
		if ctx.Err() != nil {
			return
		}
		if streamed {
			// It worked for a while: the next outage starts over from
			// RetryMin rather than the back-off of some old failure.
			b.Reset()
		}
		c.fail(err)
		c.setState(StateRetrying)
		delay := b.Next()
		if ok, suppressed := c.sessionWarn.allow(time.Now()); ok {
			c.log.Warn("camera failed, retrying", "err", err, "retry_in", delay.Round(time.Millisecond),
				"attempt", b.Attempt(), "suppressed", suppressed)
		} else {
			c.log.Debug("camera failed, retrying", "err", err, "retry_in", delay)
		}
		if !backoff.Wait(ctx, delay) {
			return
		}
		c.reconnects.add(1)
	}
}

func (c *Camera) fail(err error) {
	c.mu.Lock()
	c.lastError = err.Error()
	c.lastErrorTime = time.Now()
	c.mu.Unlock()
}

func (c *Camera) setState(s State) {
	c.mu.Lock()
	old := c.state
	c.state = s
	c.mu.Unlock()
	if old == s {
		return
	}
	c.publishState(s)
	// Connecting/retrying flip every few seconds for a dead camera: debug
	// only; the failure itself is warned about, rate-limited.
	level := slog.LevelDebug
	if s == StateStreaming {
		level = slog.LevelInfo
	}
	c.log.Log(context.Background(), level, "camera state", "from", old.String(), "to", s.String())
}

func (c *Camera) publishState(s State) {
	for st, name := range stateNames {
		v := 0.0
		if State(st) == s {
			v = 1
		}
		c.metrics.state.WithLabelValues(c.cfg.ID, name).Set(v)
	}
}

func (c *Camera) setCodec(codec decode.Codec) {
	c.mu.Lock()
	c.codec = codec.String()
	c.mu.Unlock()
}

// noteKeyframe publishes the measured GOP and the decode mode chosen for it.
func (c *Camera) noteKeyframe(interval time.Duration, keyOnly bool) {
	c.mu.Lock()
	changed := c.keyOnly != keyOnly
	c.keyInterval, c.keyOnly = interval, keyOnly
	c.mu.Unlock()
	c.metrics.keyframeInterval.WithLabelValues(c.cfg.ID).Set(interval.Seconds())
	v := 0.0
	if keyOnly {
		v = 1
	}
	c.metrics.keyframesOnly.WithLabelValues(c.cfg.ID).Set(v)
	if changed {
		c.log.Info("decode mode", "keyframes_only", keyOnly, "keyframe_interval", interval.Round(time.Millisecond),
			"detect_fps", c.cfg.DetectFPS, "configured", string(c.cfg.DecodeMode))
	}
}

func (c *Camera) setLag(d time.Duration) {
	c.mu.Lock()
	c.lag = d
	c.mu.Unlock()
	c.metrics.lag.WithLabelValues(c.cfg.ID).Set(d.Seconds())
}

// deliver hands a frame to the consumer, replacing an untaken one.
func (c *Camera) deliver(f Frame) {
	if n := c.out.put(f); n > 0 {
		c.framesDropped.add(uint64(n))
	}
}

// warnDecode logs a data-path error, rate-limited.
func (c *Camera) warnDecode(msg string, err error) {
	if ok, suppressed := c.decodeWarn.allow(time.Now()); ok {
		c.log.Warn(msg, "err", err, "suppressed", suppressed, "decode_errors", c.decodeErrors.load())
	}
}
