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
	HTTP    HTTP     `yaml:"http"`
	Log     Log      `yaml:"log"`
	Cameras []Camera `yaml:"cameras"`
}

// Device identifies this box and where it keeps its state.
type Device struct {
	ID string `yaml:"id"`
	// DataDir holds the outbox and the signing key; it must survive reboots.
	DataDir string `yaml:"data_dir"`
}

// Server is the central service the box reports to.
type Server struct {
	Address string `yaml:"address"`
	// CAFile is the PEM bundle that signs the server's certificate; empty
	// means the system's roots.
	CAFile string `yaml:"ca_file"`
	// Insecure sends plaintext gRPC. Allowed only to a loopback address:
	// evidence must never cross a street cabinet's uplink unencrypted.
	Insecure          bool          `yaml:"insecure"`
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
	Zones     []Zone        `yaml:"zones"`
}

// GeoPoint is a WGS-84 position.
type GeoPoint struct {
	Lat float64 `yaml:"lat"`
	Lon float64 `yaml:"lon"`
}

// Zone is a polygon of the camera picture with the rules that apply there.
// Points are fractions of the frame (0..1) so a zone survives a change of
// stream resolution.
type Zone struct {
	ID      string       `yaml:"id"`
	Name    string       `yaml:"name"`
	Polygon [][2]float64 `yaml:"polygon"`
	Rules   []Rule       `yaml:"rules"`
}

// Rule raises a violation when an object of the listed classes stays in the
// zone for longer than Dwell.
type Rule struct {
	ID   string `yaml:"id"`
	Type string `yaml:"type"`
	// Classes are detector class names that count for this rule.
	Classes  []string      `yaml:"classes"`
	MinScore float64       `yaml:"min_score"`
	Dwell    conf.Duration `yaml:"dwell"`
	// GapTolerance keeps an object's dwell when the detector misses it for
	// up to this long (a passer-by in front of a stall), instead of
	// starting the clock again.
	GapTolerance conf.Duration `yaml:"gap_tolerance"`
	// Cooldown is the time before the same object raises the same rule again.
	Cooldown conf.Duration `yaml:"cooldown"`
}
