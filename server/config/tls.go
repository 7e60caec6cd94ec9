package config

import (
	"time"

	"github.com/xiuhua/xiuhua/internal/conf"
	"github.com/xiuhua/xiuhua/internal/tlsfiles"
)

// HTTPTLS turns the HTTP listener into HTTPS when both files are set. A
// server behind a TLS-terminating reverse proxy leaves it off and sets
// auth.secure_cookies instead.
type HTTPTLS struct {
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
	// HSTSMaxAge is the Strict-Transport-Security max-age sent with every
	// HTTPS answer, so that browsers never try plain HTTP again; 0 sends
	// no header.
	HSTSMaxAge conf.Duration `yaml:"hsts_max_age"`
}

// DefaultHSTSMaxAge is a year, as browsers' preload lists ask.
const DefaultHSTSMaxAge = conf.Duration(365 * 24 * time.Hour)

// Enabled reports whether the HTTP listener speaks TLS.
func (t HTTPTLS) Enabled() bool { return t.CertFile != "" || t.KeyFile != "" }

// MutualTLS reports whether edge boxes must present a client certificate.
func (t TLS) MutualTLS() bool { return t.ClientCA != "" }

// validateTLS checks both listeners' files now, so that a missing file or a
// key of another certificate stops the server at start, naming the field.
func (c *Config) validateTLS(errs *conf.Errors) {
	now := time.Now()
	g := c.GRPC.TLS
	tlsfiles.CheckPair(errs, "grpc.tls.", g.CertFile, g.KeyFile, now)
	if g.ClientCA != "" {
		tlsfiles.CheckCA(errs, "grpc.tls.client_ca", g.ClientCA)
		if !g.Enabled() {
			errs.Add("grpc.tls.client_ca", g.ClientCA, "empty, or set together with grpc.tls.cert_file and grpc.tls.key_file")
		}
		// The certificate is tied to the device its token names: without
		// tokens there is nothing to tie it to.
		if c.Auth.Devices != DevicesToken {
			errs.Add("grpc.tls.client_ca", g.ClientCA, "empty, or set together with auth.devices: token")
		}
	}
	h := c.HTTP.TLS
	tlsfiles.CheckPair(errs, "http.tls.", h.CertFile, h.KeyFile, now)
	if d := h.HSTSMaxAge.D(); d < 0 || d > 2*365*24*time.Hour {
		errs.Add("http.tls.hsts_max_age", h.HSTSMaxAge.String(), "0 (no header) to 17520h (two years)")
	}
}
