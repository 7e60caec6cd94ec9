package warn

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bluenviron/gortsplib/v4"
	"github.com/bluenviron/gortsplib/v4/pkg/base"
	"github.com/bluenviron/gortsplib/v4/pkg/description"
	"github.com/bluenviron/gortsplib/v4/pkg/format"
	"github.com/pion/rtp"

	"github.com/xiuhua/xiuhua/edge/audio"
)

// drain is how long Play waits after the last packet before tearing the
// session down, so the client's write queue empties and the speaker's
// jitter buffer plays out.
const drain = 200 * time.Millisecond

// BackChannel plays warnings through one camera's speaker over the RTSP
// ONVIF back channel. Each Play opens its own RTSP session (DESCRIBE with
// "Require: www.onvif.org/ver20/backchannel", SETUP of the audio back
// channel only, PLAY), so the camera's video session, owned by ingest, is
// never touched and cannot be stalled by a slow speaker.
type BackChannel struct {
	Camera string
	// URL is the camera's RTSP URL, credentials included; usually the one
	// ingest plays.
	URL string
	// Username and Password are used when URL carries no user, as for
	// ingest.
	Username, Password string
	// Transport defaults to TCP: the audio rides the RTSP connection,
	// which passes the NATs and firewalls that UDP back channels do not.
	Transport *gortsplib.Transport
	// Timeout bounds each RTSP request and write; default 10 s.
	Timeout time.Duration
	Metrics *Metrics
	Logger  *slog.Logger

	playing  atomic.Bool
	noneOnce sync.Once
	none     atomic.Pointer[NoBackChannelError]
}

// Play sends w.Audio to the camera's speaker at real-time pace. A camera
// without a back channel gives a *NoBackChannelError, logged once: later
// calls return it without asking the camera again. A session that fails
// mid-play gives an error naming the camera.
func (p *BackChannel) Play(ctx context.Context, w Warning) error {
	if e := p.none.Load(); e != nil {
		p.Metrics.played(p.Camera, "backchannel", outcomeNoBackChannel)
		return e
	}
	if !p.playing.CompareAndSwap(false, true) {
		p.Metrics.played(p.Camera, "backchannel", outcomeBusy)
		return fmt.Errorf("camera %s: %w", p.Camera, ErrBusy)
	}
	defer p.playing.Store(false)

	err := p.play(ctx, w)
	var nb *NoBackChannelError
	switch {
	case err == nil:
		p.Metrics.played(p.Camera, "backchannel", outcomePlayed)
		return nil
	case errors.As(err, &nb):
		p.none.Store(nb)
		p.noneOnce.Do(func() {
			p.logger().Warn("camera has no audio back channel; warnings for it fall back to filing",
				"camera", p.Camera, "url", nb.URL)
		})
		p.Metrics.played(p.Camera, "backchannel", outcomeNoBackChannel)
	case ctx.Err() != nil:
		p.Metrics.played(p.Camera, "backchannel", outcomeCanceled)
	default:
		p.logger().Error("voice warning failed", "camera", p.Camera, "type", w.Type, "err", err)
		p.Metrics.played(p.Camera, "backchannel", outcomeFailed)
	}
	return err
}

// play is one session: connect, find the back channel, send, tear down.
func (p *BackChannel) play(ctx context.Context, w Warning) error {
	start := time.Now()
	u, err := base.ParseURL(p.URL)
	if err != nil {
		return fmt.Errorf("camera %s: parse URL: %w", p.Camera, err)
	}
	if u.User == nil && p.Username != "" {
		u.User = url.UserPassword(p.Username, p.Password)
	}
	c := &gortsplib.Client{
		Scheme: u.Scheme, Host: u.Host, RequestBackChannels: true,
		Transport: p.transport(), ReadTimeout: p.timeout(), WriteTimeout: p.timeout(),
	}
	if err := c.Start2(); err != nil {
		return fmt.Errorf("camera %s: connect for back channel: %w", p.Camera, err)
	}
	defer c.Close()
	// Close unblocks a DESCRIBE or SETUP that a hung camera never answers.
	stop := context.AfterFunc(ctx, c.Close)
	defer stop()

	desc, _, err := c.Describe(u)
	if err != nil {
		return p.wrap(ctx, "describe", err)
	}
	medi, forma := findG711BackChannel(desc)
	if medi == nil {
		return &NoBackChannelError{Camera: p.Camera, URL: redact(u)}
	}
	if _, err := c.Setup(desc.BaseURL, medi, 0, 0); err != nil {
		return p.wrap(ctx, "set up back channel", err)
	}
	if _, err := c.Play(nil); err != nil {
		return p.wrap(ctx, "play back channel", err)
	}
	pc := &pacer{
		payloadType: forma.PayloadTyp,
		write:       func(pkt *rtp.Packet) error { return c.WritePacketRTP(medi, pkt) },
		sent: func() {
			if p.Metrics != nil {
				p.Metrics.startDelay.WithLabelValues("backchannel").Observe(time.Since(start).Seconds())
			}
		},
	}
	if err := pc.play(ctx, audio.EncodeG711(w.Audio, forma.MULaw)); err != nil {
		return p.wrap(ctx, "send warning audio", err)
	}
	if p.Metrics != nil {
		p.Metrics.audioSeconds.WithLabelValues(p.Camera).Add(float64(len(w.Audio)) / audio.TelephoneRate)
	}
	select {
	case <-ctx.Done():
	case <-time.After(drain):
	}
	return nil
}

// wrap names the camera and the step; after ctx is done the client was
// closed on purpose and ctx's error is the real cause.
func (p *BackChannel) wrap(ctx context.Context, step string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("camera %s: %s: %w", p.Camera, step, ctx.Err())
	}
	return fmt.Errorf("camera %s: %s: %w", p.Camera, step, err)
}

func (p *BackChannel) transport() *gortsplib.Transport {
	if p.Transport != nil {
		return p.Transport
	}
	t := gortsplib.TransportTCP
	return &t
}

func (p *BackChannel) timeout() time.Duration {
	if p.Timeout > 0 {
		return p.Timeout
	}
	return 10 * time.Second
}

func (p *BackChannel) logger() *slog.Logger {
	if p.Logger != nil {
		return p.Logger
	}
	return slog.Default()
}

// findG711BackChannel picks the first back channel with a G.711 format, in
// the camera's order of preference.
func findG711BackChannel(desc *description.Session) (*description.Media, *format.G711) {
	for _, medi := range desc.Medias {
		if !medi.IsBackChannel {
			continue
		}
		for _, forma := range medi.Formats {
			if g, ok := forma.(*format.G711); ok && g.SampleRate == audio.TelephoneRate && g.ChannelCount == 1 {
				return medi, g
			}
		}
	}
	return nil, nil
}

// redact drops the credentials from a URL for logs and errors.
func redact(u *base.URL) string {
	c := *u
	c.User = nil
	return c.String()
}
