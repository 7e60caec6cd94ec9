package web

import (
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/internal/logtest"
)

// signInFrom posts the login form as a browser behind a proxy that says
// the client is xff; lang "" is Chinese.
func signInFrom(t *testing.T, e *env, user, password, xff, lang string) (*http.Response, string) {
	t.Helper()
	form := url.Values{"user": {user}, "password": {password}}
	req, err := http.NewRequest("POST", e.srv.URL+"/login", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	if lang != "" {
		req.AddCookie(&http.Cookie{Name: LangCookie, Value: lang})
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(body)
}

// TestLoginBackoffBehindProxy: behind a trusted proxy, failures count per
// name and the officer's own address; the one who failed is told in
// Chinese (or English) until when to wait, and another officer behind
// the same proxy signs in meanwhile.
func TestLoginBackoffBehindProxy(t *testing.T) {
	e := newEnvWith(t, func(o *Options) {
		o.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	}, nil)
	e.signIn(t, "li", "reviewer") // makes the account
	for range 5 {
		resp, _ := signInFrom(t, e, "li", "wrong password", "203.0.113.7", "")
		require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	}
	resp, body := signInFrom(t, e, "li", "wrong password", "203.0.113.7", "")
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	require.NotEmpty(t, resp.Header.Get("Retry-After"))
	require.Regexp(t, regexp.MustCompile(`登录失败次数过多，请在 \d\d:\d\d:\d\d 之后再试。`), body)
	resp, body = signInFrom(t, e, "li", "correct horse battery", "203.0.113.7", LangEN)
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode, "the right password waits too")
	require.Regexp(t, regexp.MustCompile(`Too many failed sign-ins: please wait until \d\d:\d\d:\d\d, then try again.`), body)

	resp, _ = signInFrom(t, e, "li", "correct horse battery", "198.51.100.2", "")
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, "the same name from another desk behind the proxy")
	// A client's own X-Forwarded-For in front of the proxy's changes
	// nothing: only the hop the trusted proxy added counts.
	resp, _ = signInFrom(t, e, "li", "correct horse battery", "198.51.100.9, 203.0.113.7", "")
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
}

// TestLoginIgnoresUntrustedForwardedFor: without trusted proxies a client
// cannot escape the back-off by making up X-Forwarded-For.
func TestLoginIgnoresUntrustedForwardedFor(t *testing.T) {
	e := newEnv(t)
	e.signIn(t, "li", "reviewer")
	for i := range 5 {
		resp, _ := signInFrom(t, e, "li", "wrong password", "203.0.113."+string(rune('1'+i)), "")
		require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	}
	resp, _ := signInFrom(t, e, "li", "wrong password", "203.0.113.99", "")
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
}

func FuzzClientAddr(f *testing.F) {
	s := &server{opts: Options{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}}
	f.Add("10.0.0.1:5000", "203.0.113.7, 10.0.0.2")
	f.Add("192.0.2.1:80", "1.2.3.4")
	f.Add("10.1.1.1:1", "garbage, ,::1")
	f.Fuzz(func(t *testing.T, remote, xff string) {
		r := &http.Request{RemoteAddr: remote, Header: http.Header{"X-Forwarded-For": {xff}}}
		got := s.clientAddr(r)
		if a, err := netip.ParseAddr(got); err == nil {
			require.False(t, s.trusted(a) && !strings.Contains(remote, got) && !strings.Contains(xff, got))
		}
	})
}

// TestFailedLoginLogsNoTypedName: what was typed as the user name is not in
// the web side's log (people type their password there).
func TestFailedLoginLogsNoTypedName(t *testing.T) {
	logs := &logtest.Buffer{}
	e := newEnvWith(t, func(o *Options) { o.Log = slog.New(slog.NewTextHandler(logs, nil)) }, nil)
	resp, _ := signInFrom(t, e, "Hunter2-Secret", "x", "", "")
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	require.NotContains(t, logs.String(), "Hunter2-Secret")
}
