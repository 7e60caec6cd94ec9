package config

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/xiuhua/xiuhua/internal/conf"
)

// TrustedProxies parses http.trusted_proxies: IP addresses or CIDR
// prefixes of the reverse proxies in front of the server, whose
// X-Forwarded-For is believed. An address is a prefix of its full length.
func TrustedProxies(list []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(list))
	for i, s := range list {
		s = strings.TrimSpace(s)
		var (
			p   netip.Prefix
			err error
		)
		if strings.Contains(s, "/") {
			p, err = netip.ParsePrefix(s)
			p = p.Masked()
		} else {
			var a netip.Addr
			if a, err = netip.ParseAddr(s); err == nil {
				p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
			}
		}
		if err != nil {
			return nil, fmt.Errorf("http.trusted_proxies[%d]: invalid value %q: allowed: an IP address or CIDR prefix, e.g. 10.0.0.5 or 10.0.0.0/24", i, list[i])
		}
		out = append(out, p)
	}
	return out, nil
}

func (h HTTP) validate(errs *conf.Errors) {
	for i, s := range h.TrustedProxies {
		if _, err := TrustedProxies([]string{s}); err != nil {
			errs.Add(fmt.Sprintf("http.trusted_proxies[%d]", i), s, "an IP address or CIDR prefix, e.g. 10.0.0.5 or 10.0.0.0/24")
		}
	}
}
