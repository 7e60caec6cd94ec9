package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/xiuhua/xiuhua/server/auth"
)

// sseKeepAlive is how often an idle stream gets a comment line, so that
// proxies keep it open and a dead browser is noticed.
const sseKeepAlive = 15 * time.Second

// events is GET /api/v1/events: case changes as server-sent events
// ("event: case", the data a LiveEvent), from whichever replica made them.
// A browser's EventSource reconnects by itself after "retry"; the page then
// reloads its data, so nothing missed while away stays missing.
//
// A stream lasts only as long as its credentials: a sign-out ends it at
// once, and every keep-alive checks the session or token again, so that a
// disabled account, an expired session or a revoked token ends it too.
// One principal may hold at most MaxStreamsPerUser streams.
func (s *server) events(w http.ResponseWriter, r *http.Request) {
	p := auth.PrincipalFrom(r.Context())
	ctx, endStream := context.WithCancel(r.Context())
	defer endStream()
	done, ok := s.streams.open(p, endStream)
	if !ok {
		writeError(w, http.StatusTooManyRequests, fmt.Sprintf("at most %d live-update streams per user: close another tab", MaxStreamsPerUser))
		return
	}
	defer done()
	ch, cancel, ok := s.hub.subscribe()
	if !ok {
		writeError(w, http.StatusServiceUnavailable, "server stopping")
		return
	}
	defer cancel()
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	write := func(b []byte) bool {
		// The server's write timeout is for whole responses; a stream
		// extends it write by write.
		_ = rc.SetWriteDeadline(time.Now().Add(s.keepAlive + 15*time.Second))
		if _, err := w.Write(b); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !write([]byte("retry: 2000\n: connected\n\n")) {
		return
	}
	tick := time.NewTicker(s.keepAlive)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if _, err := s.principal(r); err != nil {
				return // signed out elsewhere, disabled, expired or revoked
			}
			if !write([]byte(": keep-alive\n\n")) {
				return
			}
		case ev, ok := <-ch:
			if !ok {
				return
			}
			data, err := json.Marshal(ev)
			if err != nil {
				continue
			}
			if !write(append(append([]byte("event: case\ndata: "), data...), '\n', '\n')) {
				return
			}
		}
	}
}
