package uplink

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
)

// Defaults for the zero fields of Config.
const (
	DefaultRetryMin          = time.Second
	DefaultRetryMax          = time.Minute
	DefaultChunkSize         = 64 << 10
	DefaultHeartbeatInterval = 30 * time.Second
	DefaultSendTimeout       = 5 * time.Minute
	DefaultRescanInterval    = time.Minute
	DefaultStatsInterval     = 5 * time.Minute

	// MaxChunkSize keeps a chunk message well under gRPC's default 4 MiB
	// limit on received messages.
	MaxChunkSize = 3 << 20
)

// Config configures a Client. Zero durations and sizes take the defaults
// above.
type Config struct {
	// ServerAddr is the server's host:port (or a gRPC "unix:" target).
	ServerAddr string
	TLS        TLSConfig
	// DeviceID names this box; it is put in Hello.
	DeviceID string
	// Token is the device's bearer token from the server's `server device
	// add`; TokenFile a file holding it, read at each call. At most one;
	// neither sends no token (a server in auth.devices: open mode).
	Token, TokenFile string
	// RetryMin and RetryMax bound the capped exponential back-off between
	// attempts, for both the control stream and deliveries.
	RetryMin, RetryMax time.Duration
	// ChunkSize is the size of the evidence chunks, at most MaxChunkSize.
	ChunkSize int
	// HeartbeatInterval is used until the server's Welcome names another.
	HeartbeatInterval time.Duration
	// SendTimeout bounds one delivery: report and all its evidence. Make it
	// long enough for the largest clip over the slowest link.
	SendTimeout time.Duration
	// RescanInterval: how often an idle sender looks at the outbox without
	// having been notified.
	RescanInterval time.Duration
	// StatsInterval: how often the outbox size and age are logged.
	StatsInterval time.Duration
}

// TLSConfig says how to reach the server. The zero value is TLS checked
// against the system's roots.
type TLSConfig struct {
	// CAFile is a PEM bundle of the CAs that sign the server's certificate;
	// empty: the system's roots.
	CAFile string
	// ServerName overrides the name checked in the server's certificate.
	ServerName string
	// CertFile and KeyFile are a client certificate, for a server that asks
	// for one. Both or neither.
	CertFile, KeyFile string
	// Insecure sends plaintext; allowed only to a loopback address.
	Insecure bool
}

func (c *Config) setDefaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&c.RetryMin, DefaultRetryMin)
	def(&c.RetryMax, DefaultRetryMax)
	def(&c.HeartbeatInterval, DefaultHeartbeatInterval)
	def(&c.SendTimeout, DefaultSendTimeout)
	def(&c.RescanInterval, DefaultRescanInterval)
	def(&c.StatsInterval, DefaultStatsInterval)
	if c.ChunkSize == 0 {
		c.ChunkSize = DefaultChunkSize
	}
}

// Validate checks c with the defaults filled in; errors name the field.
func (c Config) Validate() error {
	c.setDefaults()
	var errs []error
	if c.ServerAddr == "" {
		errs = append(errs, errors.New("ServerAddr: empty"))
	} else if !strings.HasPrefix(c.ServerAddr, "unix:") {
		if _, _, err := net.SplitHostPort(c.ServerAddr); err != nil {
			errs = append(errs, fmt.Errorf("ServerAddr: %q is not host:port: %w", c.ServerAddr, err))
		}
	}
	if c.DeviceID == "" {
		errs = append(errs, errors.New("DeviceID: empty"))
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"RetryMin", c.RetryMin}, {"RetryMax", c.RetryMax}, {"HeartbeatInterval", c.HeartbeatInterval},
		{"SendTimeout", c.SendTimeout}, {"RescanInterval", c.RescanInterval}, {"StatsInterval", c.StatsInterval},
	} {
		if d.v < 0 {
			errs = append(errs, fmt.Errorf("%s: %v is negative", d.name, d.v))
		}
	}
	if c.RetryMax < c.RetryMin {
		errs = append(errs, fmt.Errorf("RetryMax: %v is below RetryMin %v", c.RetryMax, c.RetryMin))
	}
	if c.ChunkSize < 1 || c.ChunkSize > MaxChunkSize {
		errs = append(errs, fmt.Errorf("ChunkSize: %d is outside 1..%d", c.ChunkSize, MaxChunkSize))
	}
	if c.TLS.Insecure {
		if c.TLS.CAFile != "" || c.TLS.CertFile != "" || c.TLS.KeyFile != "" || c.TLS.ServerName != "" {
			errs = append(errs, errors.New("TLS.Insecure: cannot be combined with other TLS settings"))
		}
		if c.ServerAddr != "" && !isLoopback(c.ServerAddr) {
			errs = append(errs, fmt.Errorf("TLS.Insecure: plaintext is allowed only to a loopback address, not %q", c.ServerAddr))
		}
	}
	if c.Token != "" && c.TokenFile != "" {
		errs = append(errs, errors.New("Token, TokenFile: give one or neither"))
	}
	if (c.TLS.CertFile == "") != (c.TLS.KeyFile == "") {
		errs = append(errs, errors.New("TLS.CertFile, TLS.KeyFile: give both or neither"))
	}
	return errors.Join(errs...)
}

func isLoopback(addr string) bool {
	if strings.HasPrefix(addr, "unix:") {
		return true
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (t TLSConfig) credentials() (credentials.TransportCredentials, error) {
	if t.Insecure {
		return insecure.NewCredentials(), nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: t.ServerName}
	if t.CAFile != "" {
		b, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("TLS.CAFile: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(b) {
			return nil, fmt.Errorf("TLS.CAFile: %s holds no PEM certificate", t.CAFile)
		}
		cfg.RootCAs = pool
	}
	if t.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("TLS.CertFile, TLS.KeyFile: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return credentials.NewTLS(cfg), nil
}
