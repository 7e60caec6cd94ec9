package web

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/cases"
)

// browser is a signed-in officer's browser: a cookie jar and the CSRF
// token from the cookie, as a page script would read it.
type browser struct {
	c    *http.Client
	base string
	csrf string
}

func (e *env) signIn(t *testing.T, name, role string) *browser {
	t.Helper()
	err := e.auth.AddUser(context.Background(), name, role, "correct horse battery")
	require.NoError(t, err)
	return e.signInAs(t, name)
}

// signInAs signs an existing account in.
func (e *env) signInAs(t *testing.T, name string) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	b := &browser{c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}, base: e.srv.URL}
	resp, err := b.c.PostForm(e.srv.URL+"/login", url.Values{"user": {name}, "password": {"correct horse battery"}, "next": {"/?status=filed"}})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, "/?status=filed", resp.Header.Get("Location"))
	u, _ := url.Parse(e.srv.URL)
	for _, c := range jar.Cookies(u) {
		if c.Name == CSRFCookie {
			b.csrf = c.Value
		}
	}
	require.NotEmpty(t, b.csrf)
	return b
}

func (b *browser) do(t *testing.T, method, path, body string, hdr ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, b.base+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := b.c.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp
}

func TestWhatNeedsAuth(t *testing.T) {
	e := newEnv(t)
	anon := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	sha := strings.Repeat("0", 64)
	for _, tc := range []struct {
		method, path string
		code         int
	}{
		{"GET", "/", http.StatusSeeOther},
		{"GET", "/api/v1/cases", http.StatusUnauthorized},
		{"GET", "/api/v1/cases/x", http.StatusUnauthorized},
		{"POST", "/api/v1/cases/x/transitions", http.StatusUnauthorized},
		{"GET", "/api/v1/grid/cells", http.StatusUnauthorized},
		{"GET", "/api/v1/stats", http.StatusUnauthorized},
		{"GET", "/api/v1/session", http.StatusUnauthorized},
		{"POST", "/api/v1/tokens", http.StatusUnauthorized},
		{"GET", "/evidence/" + sha, http.StatusUnauthorized},
		{"POST", "/logout", http.StatusSeeOther},
		{"GET", "/api/v1/openapi.json", http.StatusOK},
		{"GET", "/healthz", http.StatusOK},
		{"GET", "/metrics", http.StatusOK},
		{"GET", "/login", http.StatusOK},
		{"GET", "/static/style.css", http.StatusOK},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, e.srv.URL+tc.path, nil)
			require.NoError(t, err)
			resp, err := anon.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			require.Equal(t, tc.code, resp.StatusCode)
			if tc.code == http.StatusSeeOther {
				require.True(t, strings.HasPrefix(resp.Header.Get("Location"), "/login?next="), resp.Header.Get("Location"))
			}
		})
	}
	// A forged or malformed token is no better than none.
	for _, h := range []string{"Bearer xha_forged", "Basic YWRtaW46YWRtaW4=", "Bearer "} {
		resp, _ := e.get(t, "/api/v1/cases", "Authorization", h)
		require.Equal(t, http.StatusUnauthorized, resp.StatusCode, h)
	}
}

func TestLogin(t *testing.T) {
	e := newEnv(t)
	require.NoError(t, e.auth.AddUser(context.Background(), "li", "reviewer", "correct horse battery"))
	for _, tc := range []struct {
		name string
		form url.Values
		hdr  []string
		code int
	}{
		{"wrong password", url.Values{"user": {"li"}, "password": {"wrong password!"}}, nil, http.StatusUnauthorized},
		{"unknown user", url.Values{"user": {"zhang"}, "password": {"correct horse battery"}}, nil, http.StatusUnauthorized},
		{"cross-site", url.Values{"user": {"li"}, "password": {"correct horse battery"}}, []string{"Sec-Fetch-Site", "cross-site"}, http.StatusForbidden},
		{"other origin", url.Values{"user": {"li"}, "password": {"correct horse battery"}}, []string{"Origin", "https://evil.example"}, http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", e.srv.URL+"/login", strings.NewReader(tc.form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for i := 0; i+1 < len(tc.hdr); i += 2 {
				req.Header.Set(tc.hdr[i], tc.hdr[i+1])
			}
			resp, err := http.DefaultTransport.RoundTrip(req)
			require.NoError(t, err)
			resp.Body.Close()
			require.Equal(t, tc.code, resp.StatusCode)
			require.Empty(t, resp.Cookies())
		})
	}

	// The cookies a good sign-in sets.
	form := url.Values{"user": {"li"}, "password": {"correct horse battery"}, "next": {"//evil.example/"}}
	req, _ := http.NewRequest("POST", e.srv.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultTransport.RoundTrip(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, "/", resp.Header.Get("Location"), "an off-site next is not followed")
	cookies := map[string]*http.Cookie{}
	for _, c := range resp.Cookies() {
		cookies[c.Name] = c
	}
	s := cookies[SessionCookie]
	require.NotNil(t, s)
	require.True(t, s.HttpOnly)
	require.Equal(t, http.SameSiteLaxMode, s.SameSite)
	require.False(t, s.Secure, "plain HTTP without auth.secure_cookies")
	require.WithinDuration(t, e.now().Add(time.Hour), s.Expires, 2*time.Second)
	require.False(t, cookies[CSRFCookie].HttpOnly, "scripts read it to send it back")
}

func TestSessionTransitions(t *testing.T) {
	e := newEnv(t)
	id := e.addCase(t, "e1", nil)
	path := "/api/v1/cases/" + id + "/transitions"
	li := e.signIn(t, "li", cases.RoleReviewer)
	wang := e.signIn(t, "wang", cases.RoleHandler)
	body := `{"to": "filed", "version": 1}`

	// The page knows who is signed in and carries the sign-out token.
	resp := li.do(t, "GET", "/", "")
	require.Equal(t, http.StatusOK, resp.StatusCode)

	for _, tc := range []struct {
		name string
		b    *browser
		hdr  []string
		code int
	}{
		{"no CSRF token", li, nil, http.StatusForbidden},
		{"forged CSRF token", li, []string{CSRFHeader, "forged"}, http.StatusForbidden},
		{"another session's token", li, []string{CSRFHeader, wang.csrf}, http.StatusForbidden},
		{"cross-site with the token", li, []string{CSRFHeader, li.csrf, "Sec-Fetch-Site", "cross-site"}, http.StatusForbidden},
		{"other origin with the token", li, []string{CSRFHeader, li.csrf, "Origin", "http://evil.example"}, http.StatusForbidden},
		{"wrong role", wang, []string{CSRFHeader, wang.csrf}, http.StatusForbidden},
		{"right role and token", li, []string{CSRFHeader, li.csrf, "Sec-Fetch-Site", "same-origin"}, http.StatusOK},
		// The same decision sent twice: the version check refuses the second.
		{"double submission", li, []string{CSRFHeader, li.csrf}, http.StatusConflict},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := tc.b.do(t, "POST", path, body, tc.hdr...)
			require.Equal(t, tc.code, resp.StatusCode)
		})
	}
	_, out := e.get(t, "/api/v1/cases/"+id)
	d := decode[CaseDetailJSON](t, out)
	require.Len(t, d.Audit, 2)
	require.Equal(t, "li", d.Audit[1].Actor, "the actor is the signed-in officer")
	require.Equal(t, cases.RoleReviewer, d.Audit[1].Role)

	// Expired: the API says 401, the page sends the browser to sign in.
	e.clock.Add(int64(time.Hour + time.Second))
	require.Equal(t, http.StatusUnauthorized, li.do(t, "GET", "/api/v1/session", "").StatusCode)
	require.Equal(t, http.StatusSeeOther, li.do(t, "GET", "/", "").StatusCode)
}

func TestLogout(t *testing.T) {
	e := newEnv(t)
	li := e.signIn(t, "li", cases.RoleReviewer)
	form := "csrf_token=forged"
	req, _ := http.NewRequest("POST", li.base+"/logout", strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := li.c.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusForbidden, resp.StatusCode, "a forged sign-out is refused")

	req, _ = http.NewRequest("POST", li.base+"/logout", strings.NewReader("csrf_token="+url.QueryEscape(li.csrf)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err = li.c.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, http.StatusUnauthorized, li.do(t, "GET", "/api/v1/session", "").StatusCode)
}

func TestTokensAPI(t *testing.T) {
	e := newEnv(t)
	resp, body := e.postAs(t, cases.RoleDispatcher, "/api/v1/tokens", "application/json", `{"name": "platform", "role": "dispatcher"}`)
	require.Equal(t, http.StatusForbidden, resp.StatusCode, "%s", body)
	require.Contains(t, string(body), `"allowed_roles"`)

	resp, body = e.post(t, "/api/v1/tokens", "application/json", `{"name": "platform", "role": "mayor"}`)
	require.Equal(t, http.StatusBadRequest, resp.StatusCode, "%s", body)
	require.Contains(t, string(body), `role: invalid value \"mayor\"`)

	resp, body = e.post(t, "/api/v1/tokens", "application/json", `{"name": "platform", "role": "dispatcher"}`)
	require.Equal(t, http.StatusCreated, resp.StatusCode, "%s", body)
	tok := decode[TokenJSON](t, body)
	resp, body = e.get(t, "/api/v1/session", "Authorization", "Bearer "+tok.Token)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, SessionJSON{Name: "token:platform", Role: "dispatcher"}, decode[SessionJSON](t, body))

	resp, _ = e.post(t, "/api/v1/tokens", "application/json", `{"name": "platform", "role": "dispatcher"}`)
	require.Equal(t, http.StatusCreated, resp.StatusCode, "names need not be unique: each token is its own")
}
