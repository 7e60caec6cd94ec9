package web

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/cases"
)

// openStream opens /api/v1/events with client (and, when given, a bearer
// token), waits for the first line and returns a channel closed when the
// stream ends.
func openStream(t *testing.T, e *env, client *http.Client, token string) (<-chan struct{}, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.srv.URL+"/api/v1/events", nil)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	br := bufio.NewReader(resp.Body)
	_, err = br.ReadString('\n')
	require.NoError(t, err)
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, br)
	}()
	return ended, cancel
}

func requireEnds(t *testing.T, ended <-chan struct{}, why string) {
	t.Helper()
	select {
	case <-ended:
	case <-time.After(60 * time.Second):
		t.Fatalf("stream still open after %s", why)
	}
}

// TestStreamEndsWithSession: signing out ends the session's live-update
// stream at once; disabling the account ends it at the next keep-alive.
func TestStreamEndsWithSession(t *testing.T) {
	e := newEnv(t)
	e.web.s.keepAlive = 200 * time.Millisecond
	li := e.signIn(t, "li", cases.RoleReviewer)
	ended, _ := openStream(t, e, li.c, "")
	form := url.Values{CSRFField: {li.csrf}}
	resp, err := li.c.Post(e.srv.URL+"/logout", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	requireEnds(t, ended, "sign-out")

	wang := e.signIn(t, "wang", cases.RoleHandler)
	ended, _ = openStream(t, e, wang.c, "")
	require.NoError(t, e.auth.DisableUser(context.Background(), "wang"))
	requireEnds(t, ended, "the account was disabled")
}

// TestStreamsCappedPerUser: one principal may hold MaxStreamsPerUser
// streams; another is refused until one ends.
func TestStreamsCappedPerUser(t *testing.T) {
	e := newEnv(t)
	tok := e.tokens[cases.RoleReviewer]
	var cancels []context.CancelFunc
	var ends []<-chan struct{}
	for range MaxStreamsPerUser {
		ended, cancel := openStream(t, e, e.srv.Client(), tok)
		cancels, ends = append(cancels, cancel), append(ends, ended)
	}
	resp, _ := e.get(t, "/api/v1/events", "Authorization", "Bearer "+tok)
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	ended, _ := openStream(t, e, e.srv.Client(), e.tokens[cases.RoleHandler])
	_ = ended // another principal is not affected

	cancels[0]()
	requireEnds(t, ends[0], "the client closed it")
	require.Eventually(t, func() bool {
		req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/api/v1/events", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		resp, err := e.srv.Client().Do(req.WithContext(ctx))
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 30*time.Second, 50*time.Millisecond, "a place is free again")
}
