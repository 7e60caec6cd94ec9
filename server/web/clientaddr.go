package web

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// clientAddr is the client's IP. Behind a reverse proxy the connection
// comes from the proxy; when that proxy is in Options.TrustedProxies, its
// X-Forwarded-For is read from the right, skipping trusted proxies, and
// the first address no trusted proxy owns is the client. Without the
// setting X-Forwarded-For is ignored: any client could set it to escape
// the sign-in back-off.
func (s *server) clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !s.trusted(peer) {
		return host
	}
	hops := r.Header.Values("X-Forwarded-For")
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		parts := strings.Split(hops[i], ",")
		for j := len(parts) - 1; j >= 0; j-- {
			a, err := netip.ParseAddr(strings.TrimSpace(parts[j]))
			if err != nil {
				// A hop that is no address: what is left of it cannot
				// be trusted; the last trusted hop's peer is the client.
				return client.String()
			}
			client = a.Unmap()
			if !s.trusted(client) {
				return client.String()
			}
		}
	}
	return client.String()
}

func (s *server) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range s.opts.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
