// Package config is the central server's configuration: defaults, then the
// YAML file, then XIUHUA_* environment variables, then command-line flags,
// then Validate. A bad value is reported with its field name and exits the
// server with status 2.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"strconv"

	"github.com/xiuhua/xiuhua/internal/conf"
)

// Config is everything the server reads at start.
type Config struct {
	HTTP    HTTP   `yaml:"http"`
	GRPC    GRPC   `yaml:"grpc"`
	DataDir string `yaml:"data_dir"` // SQLite file and evidence live here
	Log     Log    `yaml:"log"`
	Limits  Limits `yaml:"limits"`
	Store   Store  `yaml:"store"`
	Blobs   Blobs  `yaml:"blobs"` // evidence storage and retention
	Cases   Cases  `yaml:"cases"`
	Grid    Grid   `yaml:"grid"`
	// Address puts new cases' positions into words (docs/map.md).
	Address Address `yaml:"address"`
	Notify  Notify  `yaml:"notify"`
	Auth    Auth    `yaml:"auth"`
	Web     Web     `yaml:"web"`

	Recheck Recheck `yaml:"recheck"` // AI re-check (智能核查)
	Models  Models  `yaml:"models"`  // model registry and rollouts
}

// HTTP is the officer pages, JSON API and metrics.
type HTTP struct {
	TLS    HTTPTLS `yaml:"tls"` // see tls.go
	Listen string  `yaml:"listen"`
	// TrustedProxies are the reverse proxies (IPs or CIDR prefixes) whose
	// X-Forwarded-For names the client: sign-in back-off and logs then
	// see each officer's own address instead of the proxy's.
	TrustedProxies []string `yaml:"trusted_proxies"`
}

// GRPC is the endpoint edge boxes connect to.
type GRPC struct {
	Listen string `yaml:"listen"`
	TLS    TLS    `yaml:"tls"`
}

// TLS turns on TLS for gRPC when both files are set.
type TLS struct {
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
	// ClientCA is a PEM bundle of the CAs that sign edge boxes' client
	// certificates: set, every box must present one (mutual TLS) naming
	// its device id (see tls.go).
	ClientCA string `yaml:"client_ca"`
}

// Enabled reports whether TLS is configured.
func (t TLS) Enabled() bool { return t.CertFile != "" || t.KeyFile != "" }

// Log selects the slog handler.
type Log struct {
	Level  string `yaml:"level"`  // debug, info, warn, error
	Format string `yaml:"format"` // text, json
}

// Limits bound what one report may carry.
type Limits struct {
	MaxEvidenceBytes int64 `yaml:"max_evidence_bytes"` // per file
	MaxEvidenceFiles int   `yaml:"max_evidence_files"` // per report
	// MaxAttachmentBytes bounds the picture an officer attaches to a
	// transition.
	MaxAttachmentBytes int64 `yaml:"max_attachment_bytes"`
	// GRPC bounds what devices may ask of the gRPC endpoint; HTTP the
	// time a web request may take, by route.
	GRPC GRPCLimits `yaml:"grpc"`
	HTTP HTTPLimits `yaml:"http"`
}

// Bounds of the limits. The upper ones only catch typos such as a size in
// bits or an extra digit; raise them when a real need appears.
const (
	MaxEvidenceBytesCeiling   = 4 << 30
	MaxEvidenceFilesCeiling   = 64
	MaxAttachmentBytesCeiling = 100 << 20
)

// Default returns the configuration used when no file is given.
func Default() Config {
	return Config{
		HTTP:    HTTP{Listen: "127.0.0.1:8080", TLS: HTTPTLS{HSTSMaxAge: DefaultHSTSMaxAge}},
		GRPC:    GRPC{Listen: "127.0.0.1:9090"},
		DataDir: "./data",
		Log:     Log{Level: "info", Format: "text"},
		Limits: Limits{
			MaxEvidenceBytes:   64 << 20,
			MaxEvidenceFiles:   8,
			MaxAttachmentBytes: 10 << 20,
			GRPC:               defaultGRPCLimits(),
			HTTP:               defaultHTTPLimits(),
		},
		Store:   Store{Driver: DriverSQLite},
		Blobs:   defaultBlobs(),
		Cases:   defaultCases(),
		Grid:    Grid{CellSizeM: 100},
		Address: defaultAddress(),
		Notify:  defaultNotify(),
		Auth:    defaultAuth(),
		Web:     Web{TimeZone: DefaultTimeZone},

		Recheck: defaultRecheck(),
		Models:  defaultModels(),
	}
}

// Load reads path on top of the defaults. It does not validate: environment
// and flag overrides come first, then Validate.
func Load(path string) (Config, error) {
	cfg := Default()
	if err := conf.LoadFile(path, &cfg); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// LoadOptional is Load, except that a missing file gives the defaults. It is
// for the default path, which need not exist; a path the operator named must.
func LoadOptional(path string) (Config, error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return Default(), nil
	}
	return Load(path)
}

// Environment variables that override the file, by the field they set.
var envFields = []struct {
	name string
	set  func(c *Config, v string)
}{
	{"XIUHUA_HTTP_LISTEN", func(c *Config, v string) { c.HTTP.Listen = v }},
	{"XIUHUA_GRPC_LISTEN", func(c *Config, v string) { c.GRPC.Listen = v }},
	{"XIUHUA_DATA_DIR", func(c *Config, v string) { c.DataDir = v }},
	{"XIUHUA_LOG_LEVEL", func(c *Config, v string) { c.Log.Level = v }},
	{"XIUHUA_LOG_FORMAT", func(c *Config, v string) { c.Log.Format = v }},
	{"XIUHUA_STORE_DRIVER", func(c *Config, v string) { c.Store.Driver = v }},
	{"XIUHUA_STORE_DSN", func(c *Config, v string) { c.Store.DSN = v }},
	{"XIUHUA_ADMIN_PASSWORD", func(c *Config, v string) { c.Auth.AdminPassword = v }},
	{"XIUHUA_AUTH_DEVICES", func(c *Config, v string) { c.Auth.Devices = v }},
	{"XIUHUA_S3_ACCESS_KEY", func(c *Config, v string) { c.Blobs.S3.AccessKey = v }},
	{"XIUHUA_S3_SECRET_KEY", func(c *Config, v string) { c.Blobs.S3.SecretKey = v }},
}

// EnvNames lists the environment variables ApplyEnv reads.
func EnvNames() []string {
	names := make([]string, len(envFields))
	for i, f := range envFields {
		names[i] = f.name
	}
	return names
}

// ApplyEnv overrides fields from the environment; lookup is os.LookupEnv in
// the binary and a map in tests. A variable set to the empty string counts.
func (c *Config) ApplyEnv(lookup func(string) (string, bool)) {
	for _, f := range envFields {
		if v, ok := lookup(f.name); ok {
			f.set(c, v)
		}
	}
}

// Validate checks every field and returns all problems at once, or nil.
func (c *Config) Validate() error {
	var errs conf.Errors
	checkListen(&errs, "http.listen", c.HTTP.Listen)
	c.HTTP.validate(&errs)
	checkListen(&errs, "grpc.listen", c.GRPC.Listen)
	c.validateTLS(&errs)
	if c.DataDir == "" {
		errs.Add("data_dir", c.DataDir, "a folder path")
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		errs.Add("log.level", c.Log.Level, "debug, info, warn, error")
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		errs.Add("log.format", c.Log.Format, "text, json")
	}
	if n := c.Limits.MaxEvidenceBytes; n < 1 || n > MaxEvidenceBytesCeiling {
		errs.Add("limits.max_evidence_bytes", n, fmt.Sprintf("1 to %d (bytes per file)", int64(MaxEvidenceBytesCeiling)))
	}
	if n := c.Limits.MaxEvidenceFiles; n < 1 || n > MaxEvidenceFilesCeiling {
		errs.Add("limits.max_evidence_files", n, fmt.Sprintf("1 to %d", MaxEvidenceFilesCeiling))
	}
	if n := c.Limits.MaxAttachmentBytes; n < 1 || n > MaxAttachmentBytesCeiling {
		errs.Add("limits.max_attachment_bytes", n, fmt.Sprintf("1 to %d (bytes)", int64(MaxAttachmentBytesCeiling)))
	}
	c.Limits.GRPC.validate(&errs)
	c.Limits.HTTP.validate(&errs)
	c.Store.validate(&errs)
	c.Blobs.validate(&errs)
	c.Cases.validate(&errs)
	c.Grid.validate(&errs)
	c.Address.validate(&errs)
	c.Notify.validate(&errs)
	c.Auth.validate(&errs, c.GRPC.Listen)
	c.Web.validate(&errs)
	c.Recheck.validate(&errs)
	c.Models.validate(&errs)
	return errs.Err()
}

func checkListen(errs *conf.Errors, field, addr string) {
	const allowed = "host:port with a port from 0 to 65535, e.g. 127.0.0.1:8080 or :8080"
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		errs.Add(field, addr, allowed)
		return
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		errs.Add(field, addr, allowed)
	}
}
