package ingest

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/bluenviron/gortsplib/v4/pkg/base"
)

// Defaults for zero Config fields.
const (
	DefaultTransport    = "tcp"
	DefaultStallTimeout = 10 * time.Second
	DefaultRetryMin     = time.Second
	DefaultRetryMax     = 30 * time.Second
	DefaultDecodeMode   = DecodeAuto
)

// Config describes one camera.
type Config struct {
	// ID names the camera in logs, metrics and frames.
	ID string
	// URL is rtsp:// or rtsps://, optionally with user:password@ (Basic and
	// Digest authentication both work).
	URL string
	// Username and Password are used when the URL carries no user; they
	// keep a password with URL-special characters out of the URL.
	Username, Password string
	// Transport is "tcp" (default: survives NAT and lossy links) or "udp".
	Transport string
	// DetectFPS is how many frames a second are handed out; only these are
	// converted to BGR. 0 hands out every frame.
	DetectFPS float64
	// Width and Height are the size of the handed-out pictures, scaled by
	// swscale in the colour conversion; 0, 0 keeps the source size.
	Width, Height int
	// Pictures hands out Frame.Picture, the decoded picture as it is,
	// instead of a BGR Image: for a receiver that converts only parts of
	// it (regions at the camera's resolution). Not with Width, Height.
	Pictures bool
	// DecodeAtTurn hands out the keyframes of keyframes-only decoding
	// undecoded: the receiver decodes each with Frame.Ready when it is
	// about to look (its turn under a look scheduler), so no more
	// pictures are decoded at once, or held, than are looked at. Frames
	// of fully decoded GOPs are decoded as they arrive either way.
	DecodeAtTurn bool
	// DecodeMode is DecodeAuto (default), DecodeKeyframes or DecodeAll;
	// see DecodeMode.
	DecodeMode DecodeMode
	// RingDuration keeps this much compressed video (whole GOPs) for
	// Camera.Clip; 0 keeps none. RingMaxBytes caps its memory (0: the
	// clip package's default).
	RingDuration time.Duration
	RingMaxBytes int
	// FullDecodeOK, when set, is asked at each keyframe whether auto mode
	// may decode every frame; false (the box is overloaded) keeps the
	// camera with keyframes. Nil: always.
	FullDecodeOK func() bool
	// StallTimeout: no decoded picture for this long means reconnect.
	StallTimeout time.Duration
	// RetryMin and RetryMax bound the reconnect back-off.
	RetryMin, RetryMax time.Duration
}

// withDefaults fills zero fields.
func (c Config) withDefaults() Config {
	if c.Transport == "" {
		c.Transport = DefaultTransport
	}
	if c.StallTimeout == 0 {
		c.StallTimeout = DefaultStallTimeout
	}
	if c.RetryMin == 0 {
		c.RetryMin = DefaultRetryMin
	}
	if c.RetryMax == 0 {
		c.RetryMax = max(DefaultRetryMax, c.RetryMin)
	}
	if c.DecodeMode == "" {
		c.DecodeMode = DefaultDecodeMode
	}
	return c
}

// Validate checks the config after defaults; each error names its field.
func (c Config) Validate() error {
	c = c.withDefaults()
	var errs []error
	if c.ID == "" {
		errs = append(errs, errors.New("id: empty"))
	}
	if c.URL == "" {
		errs = append(errs, errors.New("url: empty"))
	} else if u, err := base.ParseURL(c.URL); err != nil {
		// The parse error would echo the URL, password included.
		errs = append(errs, errors.New("url: not a valid rtsp:// or rtsps:// URL"))
	} else if u.Host == "" {
		errs = append(errs, errors.New("url: no host"))
	}
	if c.Transport != "tcp" && c.Transport != "udp" {
		errs = append(errs, fmt.Errorf("transport: %q is not tcp or udp", c.Transport))
	}
	if c.DetectFPS < 0 || c.DetectFPS > 1000 {
		errs = append(errs, fmt.Errorf("detect_fps: %v outside 0..1000", c.DetectFPS))
	}
	if (c.Width == 0) != (c.Height == 0) || c.Width < 0 || c.Height < 0 || c.Width > 8192 || c.Height > 8192 {
		errs = append(errs, fmt.Errorf("width, height: %dx%d: want both 0 (source size) or both 1..8192", c.Width, c.Height))
	}
	if c.Pictures && c.Width != 0 {
		errs = append(errs, fmt.Errorf("pictures: true with width, height %dx%d: want pictures false, or width and height 0 (pictures are handed out at the source size)", c.Width, c.Height))
	}
	if !c.DecodeMode.valid() {
		errs = append(errs, fmt.Errorf("decode_mode: %q is not auto, keyframes or all", c.DecodeMode))
	}
	if c.RingDuration < 0 || c.RingDuration > 10*time.Minute {
		errs = append(errs, fmt.Errorf("ring_duration: %v outside 0..10m", c.RingDuration))
	}
	if c.RingMaxBytes < 0 {
		errs = append(errs, fmt.Errorf("ring_max_bytes: %d is negative", c.RingMaxBytes))
	}
	if c.Password != "" && c.Username == "" {
		errs = append(errs, errors.New("password: set without username"))
	}
	if c.StallTimeout < 0 {
		errs = append(errs, fmt.Errorf("stall_timeout: %v is negative", c.StallTimeout))
	}
	if c.RetryMin < 0 {
		errs = append(errs, fmt.Errorf("retry_min: %v is negative", c.RetryMin))
	}
	if c.RetryMax < c.RetryMin {
		errs = append(errs, fmt.Errorf("retry_max: %v is below retry_min %v", c.RetryMax, c.RetryMin))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("camera %q: %w", c.ID, err)
	}
	return nil
}

// redactedURL is the URL safe for logs: the password replaced by xxxxx.
func redactedURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
