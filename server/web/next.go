package web

import (
	"net/url"
	"strings"
	"unicode"
)

// localNext keeps a redirect after sign-in on this site: a path of this
// server, with its query, or "/" when next is anything else. Browsers
// forgive a lot in a Location header: they drop tabs and newlines and read
// a backslash as a slash, so "/\t/evil.example" and "/\evil.example" both
// lead to another host. Anything that could be read as a scheme, a host,
// or that carries a control character or a backslash is therefore refused
// outright rather than cleaned.
func localNext(next string) string {
	if next == "" || next[0] != '/' || len(next) > 2048 {
		return "/"
	}
	if unsafeInPath(next) {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "/"
	}
	// The decoded path must not hide one either ("/%2F/evil.example",
	// "/%5Cevil.example", "/%09/evil.example"): a proxy may decode it.
	if !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") || unsafeInPath(u.Path) {
		return "/"
	}
	return next
}

func unsafeInPath(s string) bool {
	return strings.ContainsRune(s, '\\') || strings.IndexFunc(s, unicode.IsControl) >= 0
}
