package e2e

import (
	"bytes"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// command runs `server ARGS...` (an administration command) and returns
// what it printed on stdout, trimmed: the token it made.
func command(t *testing.T, dir string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin("server"), args...)
	cmd.Dir = dir
	cmd.Env = env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	require.NoError(t, cmd.Run(), "server %s: %s", strings.Join(args, " "), errb.String())
	return strings.TrimSpace(out.String())
}

// signedInPage checks that the case page sends a stranger to the login
// page, signs in as a browser does and returns the case page.
func signedInPage(t *testing.T, base, user, password string) string {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	c := &http.Client{Jar: jar}
	resp, err := c.Get(base + "/")
	require.NoError(t, err)
	login, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, "/login", resp.Request.URL.Path, "a stranger is sent to sign in")
	require.Contains(t, string(login), "登录")

	resp, err = c.PostForm(base+"/login", url.Values{"user": {user}, "password": {password}, "next": {"/"}})
	require.NoError(t, err)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", page)
	require.Equal(t, "/", resp.Request.URL.Path)
	require.Contains(t, string(page), user)
	return string(page)
}
