package config

import (
	"net"
	"regexp"
	"time"

	"github.com/xiuhua/xiuhua/internal/conf"
)

// Device authentication modes (auth.devices).
const (
	DevicesToken = "token"
	DevicesOpen  = "open"
)

// Session lifetime bounds.
const (
	MinSessionTTL = 5 * time.Minute
	MaxSessionTTL = 30 * 24 * time.Hour
)

// Auth is who may use the server.
type Auth struct {
	// Devices is token (every edge needs its token from `server device
	// add`, the default) or open (any caller may report as any device:
	// only for loopback demos, so only with a loopback grpc.listen).
	Devices string `yaml:"devices"`
	// BootstrapAdmin is the name of the admin made at start when there are
	// no accounts. Its password is XIUHUA_ADMIN_PASSWORD, or, when that is
	// unset, generated and printed once in the log.
	BootstrapAdmin string `yaml:"bootstrap_admin"`
	// AdminPassword comes from XIUHUA_ADMIN_PASSWORD only: a secret does
	// not belong in a config file.
	AdminPassword string `yaml:"-"`
	// SessionTTL is how long a sign-in lasts.
	SessionTTL conf.Duration `yaml:"session_ttl"`
	// SecureCookies marks session cookies Secure even on plain HTTP, for a
	// server behind a TLS-terminating proxy. Requests that arrive over TLS
	// get Secure cookies anyway.
	SecureCookies bool `yaml:"secure_cookies"`
	// DeviceKeys is when a device's signing key is pinned: first_hello
	// (the key of its first Hello after `server device add`, the default)
	// or add (only `server device add -public-key` or `server device
	// rekey -public-key` pin one; a device without one is refused). Once
	// pinned, a Hello with another key and unsigned reports are refused.
	DeviceKeys string `yaml:"device_keys"`
}

// Device key pinning modes (auth.device_keys).
const (
	DeviceKeysFirstHello = "first_hello"
	DeviceKeysAdd        = "add"
)

func defaultAuth() Auth {
	return Auth{Devices: DevicesToken, BootstrapAdmin: "admin", SessionTTL: conf.Duration(12 * time.Hour),
		DeviceKeys: DeviceKeysFirstHello}
}

var accountName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$`)

func (a Auth) validate(errs *conf.Errors, grpcListen string) {
	switch a.Devices {
	case DevicesToken:
	case DevicesOpen:
		if !loopbackListen(grpcListen) {
			errs.Add("auth.devices", a.Devices, "token; open only with a loopback grpc.listen (e.g. 127.0.0.1:9090)")
		}
	default:
		errs.Add("auth.devices", a.Devices, "token, open")
	}
	switch a.DeviceKeys {
	case DeviceKeysFirstHello, DeviceKeysAdd:
	default:
		errs.Add("auth.device_keys", a.DeviceKeys, "first_hello, add")
	}
	if !accountName.MatchString(a.BootstrapAdmin) {
		errs.Add("auth.bootstrap_admin", a.BootstrapAdmin, "1 to 64 letters, digits, . _ @ -")
	}
	if a.AdminPassword != "" && (len(a.AdminPassword) < 10 || len(a.AdminPassword) > 72) {
		// Never echo a password.
		errs.Add("XIUHUA_ADMIN_PASSWORD", "(hidden)", "10 to 72 bytes")
	}
	if d := a.SessionTTL.D(); d < MinSessionTTL || d > MaxSessionTTL {
		errs.Add("auth.session_ttl", a.SessionTTL.String(), "5m to 720h")
	}
}

func loopbackListen(addr string) bool {
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
