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
	if ev.Purged {
		http.Error(w, "this file was removed under the evidence retention rules; the case record stays", http.StatusGone)
		return
	}
	ct := ev.ContentType
	base, _, _ := strings.Cut(ct, ";")
	disposition := ""
	if !inlineTypes[strings.TrimSpace(strings.ToLower(base))] {
		ct = "application/octet-stream"
		disposition = `attachment; filename="` + sha + `"`
	}
	if s.presignEvidence(w, r, sha, ct, disposition) {
		return
	}
	f, err := s.opts.Blobs.Open(r.Context(), sha)
	switch {
	case errors.Is(err, blob.ErrNotFound):
		s.log.Error("evidence in the database is missing from the blob store", "sha256", sha)
		http.NotFound(w, r)
		return
	case errors.Is(err, blob.ErrCorrupt):
		// Reported, never served: what the officer would see is not what
		// the edge signed.
		s.log.Error("evidence failed its sha256 check: not served", "sha256", sha, "err", err)
		http.Error(w, "evidence failed its integrity check", http.StatusInternalServerError)
		return
	case err != nil:
		s.log.Error("open evidence", "sha256", sha, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	defer f.Close()
	h := w.Header()
	if disposition != "" {
		h.Set("Content-Disposition", disposition)
	}
	h.Set("Content-Type", ct)
	h.Set("Cache-Control", "private, max-age=31536000, immutable")
	h.Set("ETag", `"`+sha+`"`)
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	// ServeContent answers If-None-Match, Range requests (video seeking)
	// and HEAD.
	http.ServeContent(w, r, "", f.Info().ModTime, f)
}

// presignEvidence redirects the browser to a short-lived URL of the object
// store when Options.EvidenceURLTTL asks for it, and reports whether it
// did. The access check has passed by then; the URL is the only grant, and
// it expires. A store that cannot presign is streamed through as usual.
func (s *server) presignEvidence(w http.ResponseWriter, r *http.Request, sha, ct, disposition string) bool {
	p, ok := s.opts.Blobs.(blob.Presigner)
	if s.opts.EvidenceURLTTL <= 0 || !ok {
		return false
	}
	u, err := p.PresignGet(r.Context(), sha, s.opts.EvidenceURLTTL, ct, disposition)
	if err != nil {
		s.log.Warn("presign evidence: streaming it instead", "sha256", sha, "err", err)
		return false
	}
	w.Header().Set("Cache-Control", "private, no-store")
	http.Redirect(w, r, u, http.StatusFound)
	return true
}

// allowEvidenceOrigin lets pages show pictures and videos from the object
// store that presigned evidence URLs point to.
func allowEvidenceOrigin(csp, origin string) string {
	if origin == "" {
		return csp
	}
	csp = strings.Replace(csp, "img-src 'self'", "img-src 'self' "+origin, 1)
	return strings.Replace(csp, "media-src 'self'", "media-src 'self' "+origin, 1)
}
