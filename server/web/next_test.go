package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/require"
)

func TestLocalNext(t *testing.T) {
	for _, tc := range []struct{ next, want string }{
		{"/?status=filed", "/?status=filed"},
		{"/cases/C-1", "/cases/C-1"},
		{"/cases/%E6%A1%88", "/cases/%E6%A1%88"},
		{"", "/"},
		{"cases", "/"},
		{"//evil.example/", "/"},
		{"/\t/evil.example", "/"},
		{"/\n/evil.example", "/"},
		{"/\\evil.example", "/"},
		{"/%2F/evil.example", "/"},
		{"/%2f%2fevil.example", "/"},
		{"/%5Cevil.example", "/"},
		{"/%09/evil.example", "/"},
		{"https://evil.example/", "/"},
		{"javascript:alert(1)", "/"},
		{"/" + strings.Repeat("a", 3000), "/"},
	} {
		t.Run(tc.next, func(t *testing.T) {
			require.Equal(t, tc.want, localNext(tc.next))
		})
	}
}

// TestLoginOpenRedirect is the report's reproduction: the sign-in must not
// send the browser to "/<TAB>/evil.example", which it reads as
// //evil.example.
func TestLoginOpenRedirect(t *testing.T) {
	e := newEnv(t)
	b := e.signIn(t, "li", "reviewer")
	for _, next := range []string{"/\t/evil.example", "/\\evil.example", "/%09/evil.example"} {
		form := url.Values{"user": {"li"}, "password": {"correct horse battery"}, "next": {next}}
		resp, err := b.c.PostForm(e.srv.URL+"/login", form)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusSeeOther, resp.StatusCode)
		require.Equal(t, "/", resp.Header.Get("Location"), "next %q", next)
	}
	// The login page does not carry it into its form either.
	resp, body := e.get(t, "/login?next=/%09/evil.example")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, string(body), `name="next" value="/"`)
}

func FuzzLocalNext(f *testing.F) {
	for _, s := range []string{"/", "/cases/x?y=1", "//evil", "/\t/evil", "/%2F/evil", "/\\evil", "http://x/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := localNext(next)
		if got == "/" {
			return
		}
		require.Equal(t, next, got, "kept as given or replaced by /")
		u, err := url.Parse(got)
		require.NoError(t, err)
		require.Empty(t, u.Scheme)
		require.Empty(t, u.Host)
		require.True(t, strings.HasPrefix(u.Path, "/") && !strings.HasPrefix(u.Path, "//"), got)
		require.Negative(t, strings.IndexFunc(got, unicode.IsControl))
		require.NotContains(t, got, `\`)
	})
}
