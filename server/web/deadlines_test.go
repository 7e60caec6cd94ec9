package web

import (
	"bufio"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// slowPost sends body in two halves with pause between them and returns
// the status code, or 0 when the server closed the connection first.
func slowPost(t *testing.T, e *env, path, ct, token, body string, pause time.Duration) int {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(e.srv.URL, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	head := "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: " + ct + "\r\nAuthorization: Bearer " + token +
		"\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\nConnection: close\r\n\r\n"
	half := len(body) / 2
	_, err = conn.Write([]byte(head + body[:half]))
	require.NoError(t, err)
	time.Sleep(pause)
	_, _ = conn.Write([]byte(body[half:])) // may fail: the server may have given up
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestRouteDeadlines: a body that takes longer than the read timeout is
// cut on an ordinary route, and goes through on a transition, whose photo
// may come from a phone on a slow link.
func TestRouteDeadlines(t *testing.T) {
	e := newEnvWith(t, func(o *Options) {
		o.Timeouts = Timeouts{Read: 300 * time.Millisecond, Attachment: 5 * time.Minute}
	}, nil)
	id := e.addCase(t, "e1", nil)
	const pause = 3 * time.Second // ten read timeouts

	code := slowPost(t, e, "/api/v1/tokens", "application/json", e.tokens["admin"], `{"name":"gis","role":"reviewer"}`, pause)
	require.NotEqual(t, http.StatusCreated, code, "an ordinary body past the read timeout")
	require.NotEqual(t, http.StatusOK, code)

	ct, body := multipartBody(t, "request", jsonBody(TransitionRequestJSON{To: "filed"}), "attachment", string(pngBytes(t)))
	code = slowPost(t, e, "/api/v1/cases/"+id+"/transitions", ct, e.tokens["admin"], body.String(), pause)
	require.Equal(t, http.StatusOK, code, "a slow photo upload within the attachment timeout")
}
