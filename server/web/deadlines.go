package web

import (
	"io"
	"net/http"
	"time"
)

// Timeouts are the web side's time limits by kind of route (config
// limits.http). The HTTP server itself has none for bodies: one limit
// cannot fit a JSON call and a 512 MiB model upload over a city network,
// so each request gets the deadlines of its route as it starts.
type Timeouts struct {
	Read, Write time.Duration // an ordinary request's body and answer
	Attachment  time.Duration // a case step that may carry a photo: body and answer
	Upload      time.Duration // a model upload: body, check and answer
	Download    time.Duration // one evidence file's answer
}

// Default timeouts, those of the server's default configuration.
var DefaultTimeouts = Timeouts{Read: 30 * time.Second, Write: 5 * time.Minute,
	Attachment: 10 * time.Minute, Upload: time.Hour, Download: time.Hour}

// routeClass says which deadlines a route gets.
type routeClass int

const (
	classNormal     routeClass = iota
	classAttachment            // transitions (a photo from a phone)
	classUpload                // model uploads
	classDownload              // evidence files
	classStream                // live updates and dataset exports: extended write by write
)

// classOf is the deadline class of a route pattern.
func classOf(method, pattern string) routeClass {
	switch method + " " + pattern {
	case "POST /api/v1/cases/{id}/transitions":
		return classAttachment
	case "POST /models/upload", "POST /api/v1/models":
		return classUpload
	case "GET /evidence/{sha256}":
		return classDownload
	case "GET /api/v1/events", "GET /api/v1/export/dataset":
		return classStream
	}
	return classNormal
}

// withDeadlines sets the read and write deadlines of class on each request
// before h runs. A stream's write deadline is set by its handler, write by
// write (streamWriter), so that a slow but moving download never ends
// while a stalled one does.
func (s *server) withDeadlines(class routeClass, h http.Handler) http.Handler {
	t := s.opts.Timeouts
	read, write := t.Read, t.Write
	switch class {
	case classAttachment:
		read, write = t.Attachment, t.Attachment
	case classUpload:
		read, write = t.Upload, t.Upload
	case classDownload:
		write = t.Download
	case classStream:
		write = 0
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		now := time.Now()
		// Errors mean the writer cannot take deadlines (a test
		// recorder): the request then simply has none.
		_ = rc.SetReadDeadline(now.Add(read))
		if write > 0 {
			_ = rc.SetWriteDeadline(now.Add(write))
		} else {
			_ = rc.SetWriteDeadline(time.Time{})
		}
		h.ServeHTTP(w, r)
	})
}

// streamWriter extends the write deadline before every write by idle: a
// long answer that keeps moving is never cut, one that stalls is.
type streamWriter struct {
	w    io.Writer
	rc   *http.ResponseController
	idle time.Duration
}

func (s *streamWriter) Write(p []byte) (int, error) {
	_ = s.rc.SetWriteDeadline(time.Now().Add(s.idle))
	return s.w.Write(p)
}
