// Package config is the edge node's configuration file: what to watch, where
// to send, which model to run. Load applies defaults, the file, then
// Validate; every error names the field, the value and what is allowed.
package config

import (
	"github.com/xiuhua/xiuhua/internal/conf"
)

// Config is the whole edge configuration.
type Config struct {
	Device  Device   `yaml:"device"`
	Server  Server   `yaml:"server"`
	Model   Model    `yaml:"model"`
	Recheck Recheck  `yaml:"recheck"`
	Outbox  Outbox   `yaml:"outbox"`
	HTTP    HTTP     `yaml:"http"`
	Log     Log      `yaml:"log"`
	Fleet   Fleet    `yaml:"fleet"`
	Cameras []Camera `yaml:"cameras"`
	// Enforcement holds per-type policies (warn first or file): see
	// enforcement.go.
	Enforcement map[string]Policy `yaml:"enforcement"`
}

// Device identifies this box and where it keeps its state.
type Device struct {
	ID string `yaml:"id"`
	// DataDir holds the outbox and the signing key; it must survive reboots.
	DataDir string `yaml:"data_dir"`
	// Timezone is the IANA zone that rules' allowed hours are read in and
	// evidence pictures write their time in (with its offset), e.g.
	// Asia/Shanghai; default Local (the box's own).
	Timezone string `yaml:"timezone"`
}

// Server is the central service the box reports to.
type Server struct {
	Address string `yaml:"address"`
	// CAFile is the PEM bundle that signs the server's certificate; empty
	// means the system's roots.
	CAFile string `yaml:"ca_file"`
	// ServerName, CertFile and KeyFile: see tls.go.
	ServerName string `yaml:"server_name"`
	CertFile   string `yaml:"cert_file"`
	KeyFile    string `yaml:"key_file"`
	// Insecure sends plaintext gRPC. Allowed only to a loopback address:
	// evidence must never cross a street cabinet's uplink unencrypted.
	Insecure bool `yaml:"insecure"`
	// Token is this box's device token from the server's `server device
	// add ID`; TokenFile a file holding it (read at every call, so a fixed
	// token needs no restart). At most one. Sent only over TLS or to a
	// loopback address.
	Token             string        `yaml:"token"`
	TokenFile         string        `yaml:"token_file"`
	HeartbeatInterval conf.Duration `yaml:"heartbeat_interval"`
	RetryMin          conf.Duration `yaml:"retry_min"`
	RetryMax          conf.Duration `yaml:"retry_max"`
}

// Model selects the detector.
type Model struct {
	Manifest string `yaml:"manifest"`
	// OnnxruntimeLibrary overrides where libonnxruntime.so is found.
	OnnxruntimeLibrary string `yaml:"onnxruntime_library"`
	Threads            int    `yaml:"threads"`
	// Backend is onnxruntime or opencv; empty takes the manifest's
	// (default onnxruntime).
	Backend string `yaml:"backend"`
	// Providers are onnxruntime execution providers to try in order, e.g.
	// [cuda, cpu]: each one that is unavailable is logged and the next
	// tried; a list without cpu at its end fails when none is available.
	// Empty means [cpu]. Names: see detect.Providers().
	Providers []string `yaml:"providers"`
	// GraphOptimization is onnxruntime's graph optimisation level:
	// disable, basic, extended or all (empty: all).
	GraphOptimization string `yaml:"graph_optimization"`

	// ExpectInput pins the model input size this box was set up for (zones
	// and detect_width/height drawn for it); a model with another input,
	// at start or offered in a swap, is refused. Unset: any size.
	ExpectInput *InputSize `yaml:"expect_input"`
	// Watch is local mode: the manifest and its folder are polled every
	// WatchInterval, and a changed model is loaded, checked and swapped in
	// as a server's assignment would be. For boxes without a server.
	Watch         bool          `yaml:"watch"`
	WatchInterval conf.Duration `yaml:"watch_interval"`
	// Probation is how long a swapped-in model must run cleanly before the
	// previous one is closed; until then errors roll back to it. A
	// ModelAssignment's probation_seconds overrides it.
	Probation conf.Duration `yaml:"probation"`
	// MaxErrorRate is the share of failed inferences, over the last
	// ErrorWindow runs of a model on probation, above which the edge rolls
	// back; a ModelAssignment's max_error_rate overrides it.
	MaxErrorRate float64 `yaml:"max_error_rate"`
	ErrorWindow  int     `yaml:"error_window"`
	// Warmup is how many inferences a new model runs after its smoke run,
	// before it takes frames, so the first frames are not slow.
	Warmup int `yaml:"warmup"`
}

// InputSize is a model input size in pixels.
type InputSize struct {
	Width  int `yaml:"width"`
	Height int `yaml:"height"`
}

// HTTP serves /metrics and /healthz.
type HTTP struct {
	Listen string `yaml:"listen"`
}

// Log sets the logger.
type Log struct {
	Level  string `yaml:"level"`
	Format string `yaml:"format"`
}

// Camera is one RTSP stream and what to look for in it.
type Camera struct {
	ID        string        `yaml:"id"`
	Name      string        `yaml:"name"`
	URL       string        `yaml:"url"`
	Transport string        `yaml:"transport"`
	DetectFPS float64       `yaml:"detect_fps"`
	Stall     conf.Duration `yaml:"stall_timeout"`
	Location  *GeoPoint     `yaml:"location"`
	// Calibration pairs image points with their ground positions; with
	// four or more, reports carry the object's own position.
	Calibration []CalibrationPoint `yaml:"calibration"`
	Zones       []Zone             `yaml:"zones"`
	// Username and Password authenticate to the camera when the URL has no
	// user:password@ (handy when the password has URL-special characters).
	Username string `yaml:"username"`
	Password string `yaml:"password"`
	// DecodeMode is auto (default: keyframes only when detect_fps is at or
	// below the measured keyframe rate), keyframes or all.
	DecodeMode string `yaml:"decode_mode"`
	// DetectWidth and DetectHeight are the picture size handed to the
	// detector, scaled while converting to BGR; 0 and 0 keep the camera's,
	// which regions other than full need.
	DetectWidth  int `yaml:"detect_width"`
	DetectHeight int `yaml:"detect_height"`
	// RingBuffer keeps this much compressed video per camera for evidence
	// clips (whole GOPs, so up to one GOP more); 0 keeps none.
	RingBuffer conf.Duration `yaml:"ring_buffer"`
	// RingBufferBytes caps the ring's memory (0: 32 MiB); whole GOPs are
	// dropped, oldest first, to stay under it. See also
	// fleet.ring_buffer_total_bytes.
	RingBufferBytes int `yaml:"ring_buffer_bytes"`
	// Clip is the stretch of video around a violation that goes with its
	// evidence, cut from the ring buffer.
	Clip Clip `yaml:"clip"`
	// Regions is what the detector looks at (docs/regions.md): auto (the
	// default: the zones, padded and merged, at the camera's resolution,
	// tiled when large), full (the whole frame letterboxed) or a list of
	// [x1, y1, x2, y2] rectangles in fractions of the frame.
	Regions Regions `yaml:"regions"`
	// TileOverlap is the least share of a tile's side that neighbouring
	// tiles share.
	TileOverlap float64 `yaml:"tile_overlap"`
	// MaxTiles caps the model runs of one look; zones that need more are a
	// configuration error.
	MaxTiles int `yaml:"max_tiles"`
	// FullFrameEvery also looks at the whole frame every this many looks,
	// so objects outside the regions keep their tracks.
	FullFrameEvery int `yaml:"full_frame_every"`
	// Speaker is how warnings are played here (enforcement.go).
	Speaker *Speaker `yaml:"speaker"`
}

// Clip is how much video before and after the moment of a violation its
// evidence carries.
type Clip struct {
	Pre  conf.Duration `yaml:"pre"`
	Post conf.Duration `yaml:"post"`
}

// Change says when a zone that differs from its reference picture is a
// violation: in Checks checks in a row, Interval apart, spanning Span.
type Change struct {
	Interval    conf.Duration `yaml:"interval"`
	Checks      int           `yaml:"checks"`
	Span        conf.Duration `yaml:"span"`
	MinFraction float64       `yaml:"min_fraction"`
}

// CalibrationPoint is a pixel of the camera picture whose WGS-84 ground
// position is known (a kerb corner, a manhole measured on site).
type CalibrationPoint struct {
	X   float64 `yaml:"x"`
	Y   float64 `yaml:"y"`
	Lat float64 `yaml:"lat"`
	Lon float64 `yaml:"lon"`
}

// GeoPoint is a WGS-84 position.
type GeoPoint struct {
	Lat float64 `yaml:"lat"`
	Lon float64 `yaml:"lon"`
}

// Zone is a polygon of the camera picture with the rules that apply there.
// Points are fractions of the frame (0..1) by default, so a zone survives a
// change of stream resolution; `coordinates: pixels` takes pixels instead.
type Zone struct {
	ID          string       `yaml:"id"`
	Name        string       `yaml:"name"`
	Polygon     [][2]float64 `yaml:"polygon"`
	Coordinates string       `yaml:"coordinates"`
	// Anchor is the point of a box that decides "inside": bottom_centre
	// (where an object stands, the default) or centre (hanging things).
	Anchor string `yaml:"anchor"`
	// MinBoxArea ignores boxes smaller than this fraction of the frame.
	MinBoxArea float64 `yaml:"min_box_area"`
	// Ignore lists polygons (same coordinates) inside which nothing counts:
	// a licensed kiosk, a bus stop.
	Ignore [][][2]float64 `yaml:"ignore"`
	Rules  []Rule         `yaml:"rules"`
}

// Rule raises a violation when an object of the listed classes stays in the
// zone for longer than Dwell.
type Rule struct {
	ID   string `yaml:"id"`
	Type string `yaml:"type"`
	// Classes are detector class names that count for this rule; empty
	// means the type's defaults that the model has (umbrella, dining
	// table, chair, bench, suitcase for street_vending on COCO).
	Classes  []string      `yaml:"classes"`
	MinScore float64       `yaml:"min_score"`
	Dwell    conf.Duration `yaml:"dwell"`
	// GapTolerance keeps an object's dwell when the detector misses it for
	// up to this long (a passer-by in front of a stall), instead of
	// starting the clock again.
	GapTolerance conf.Duration `yaml:"gap_tolerance"`
	// Cooldown is the least time between two alerts of this rule in this
	// zone, whichever object raises them; default 0.
	Cooldown conf.Duration `yaml:"cooldown"`
	// Realert repeats the alert for an object still there after this
	// long; default 0: once per stay.
	Realert conf.Duration `yaml:"realert"`
	// MaxMotion > 0 makes the dwell a time standing still: moving more
	// than this many box heights starts the stay again.
	MaxMotion float64 `yaml:"max_motion"`
	// Inertia is how many observations in a row before an object counts.
	Inertia int `yaml:"inertia"`
	// AllowedHours are daily windows ("18:00-22:00") when this is not a
	// violation, read in device.timezone.
	AllowedHours []string `yaml:"allowed_hours"`
	// Change tunes persistent-change detection, which illegal_structure
	// and street_laundry use when the model has no class for them.
	Change Change `yaml:"change"`
	// Accumulate fires on presence that repeats at one place.
	Accumulate Accumulate `yaml:"accumulate"`
	// Enforcement overrides the type's policy for this rule
	// (enforcement.go).
	Enforcement *Policy `yaml:"enforcement"`
}
