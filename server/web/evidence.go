package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/xiuhua/xiuhua/server/blob"
	"github.com/xiuhua/xiuhua/server/store"
)

// inlineTypes are the content types served as they were declared; anything
// else an edge declared is served as a download, so that a hostile report
// cannot put a page or a script on this origin.
var inlineTypes = map[string]bool{
	"image/jpeg": true,
	"image/png":  true,
	"image/webp": true,
	"image/gif":  true,
	"video/mp4":  true,
	"video/webm": true,
}

// evidence serves a blob that some report refers to. Content never changes
// under its address, so it may be cached for good; it is private because it
// shows people and places.
func (s *server) evidence(w http.ResponseWriter, r *http.Request) {
	sha := r.PathValue("sha256")
	if !blob.ValidSHA256(sha) {
		http.NotFound(w, r)
		return
	}
	ev, err := s.opts.Store.GetEvidence(r.Context(), sha)
	if errors.Is(err, store.ErrNotFound) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		s.log.Error("get evidence", "sha256", sha, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	f, err := s.opts.Blobs.Open(sha)
	if errors.Is(err, blob.ErrNotFound) {
		s.log.Error("evidence in the database is missing from the blob store", "sha256", sha)
		http.NotFound(w, r)
		return
	}
	if err != nil {
		s.log.Error("open evidence", "sha256", sha, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	ct := ev.ContentType
	base, _, _ := strings.Cut(ct, ";")
	if !inlineTypes[strings.TrimSpace(strings.ToLower(base))] {
		ct = "application/octet-stream"
		h.Set("Content-Disposition", `attachment; filename="`+sha+`"`)
	}
	h.Set("Content-Type", ct)
	h.Set("Cache-Control", "private, max-age=31536000, immutable")
	h.Set("ETag", `"`+sha+`"`)
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	// ServeContent answers If-None-Match, Range requests (video seeking)
	// and HEAD.
	http.ServeContent(w, r, "", st.ModTime(), f)
}
