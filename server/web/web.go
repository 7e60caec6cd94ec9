// Package web is the server's HTTP side: the officers' case list page, the
// JSON API, evidence downloads, health and metrics.
package web

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/xiuhua/xiuhua/server/auth"
	"github.com/xiuhua/xiuhua/server/blob"
	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/grid"
	"github.com/xiuhua/xiuhua/server/store"
)

// Store is the part of the database the web side reads.
type Store interface {
	ListCases(ctx context.Context, f store.CaseFilter) (store.CasePage, error)
	GetCase(ctx context.Context, id string) (*store.CaseDetail, error)
	GetEvidence(ctx context.Context, sha256 string) (*store.Evidence, error)
	Stats(ctx context.Context, q store.StatsQuery) (store.Stats, error)
	Ping(ctx context.Context) error
}

// Blobs opens evidence content and stores attachments; *blob.Store
// implements it.
type Blobs interface {
	Open(sha256 string) (*os.File, error)
	Put(r io.Reader) (blob.Ref, error)
}

// Options configure the handler. Store, Blobs, Cases and Auth are required.
type Options struct {
	// Auth signs officers in and resolves sessions and API tokens.
	Auth *auth.Service
	// SecureCookies marks cookies Secure on plain HTTP too (behind a TLS
	// proxy); over TLS they are Secure anyway.
	SecureCookies bool
	Store         Store
	Blobs         Blobs
	// Cases moves cases through the workflow and knows their deadlines.
	Cases *cases.Service
	// Grid lists the grid cells; nil lists none.
	Grid grid.Grid
	// Gatherer is served at /metrics; nil serves the default registry.
	Gatherer prometheus.Gatherer
	// Location is the time zone of the pages; default time.Local.
	Location *time.Location
	Log      *slog.Logger
	// Now is the clock for overdue flags; default time.Now.
	Now func() time.Time
	// MaxAttachmentBytes bounds a transition's attachment; default
	// DefaultMaxAttachmentBytes.
	MaxAttachmentBytes int64
}

// DefaultMaxAttachmentBytes is the default bound of an attachment.
const DefaultMaxAttachmentBytes = 10 << 20

// API paging.
const (
	DefaultLimit = 50
	MaxLimit     = store.MaxLimit
	// pageLimit is how many cases the HTML page shows at once.
	pageLimit = 100
)

type server struct {
	opts Options
	log  *slog.Logger
}

func (s *server) now() time.Time { return s.opts.Now() }

// New returns the HTTP handler.
func New(opts Options) http.Handler {
	s := newServer(opts)
	mux := http.NewServeMux()
	for _, rt := range s.routes() {
		mux.Handle(rt.Method+" "+rt.Pattern, s.guard(rt.Access, rt.Handler))
	}
	return securityHeaders(mux)
}

func newServer(opts Options) *server {
	if opts.Location == nil {
		opts.Location = time.Local
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	if opts.Gatherer == nil {
		opts.Gatherer = prometheus.DefaultGatherer
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxAttachmentBytes <= 0 {
		opts.MaxAttachmentBytes = DefaultMaxAttachmentBytes
	}
	return &server{opts: opts, log: opts.Log.With("component", "web")}
}

// Route is one pattern of the mux. Documented routes are in the OpenAPI
// document; the others are the HTML pages and the style sheet.
type Route struct {
	Method     string
	Pattern    string
	Documented bool
	Access     Access
	Handler    http.Handler
}

// routes is every route the mux serves; a test holds it and the OpenAPI
// document to each other.
func (s *server) routes() []Route {
	h := func(f http.HandlerFunc) http.Handler { return f }
	return []Route{
		{"GET", "/{$}", false, Page, h(s.casesPage)},
		{"GET", "/login", false, Public, h(s.loginPage)},
		{"POST", "/login", false, Public, h(s.login)},
		{"POST", "/logout", false, Page, h(s.logout)},
		{"GET", "/static/", false, Public, http.StripPrefix("/static/", staticFiles())},
		{"GET", "/api/v1/cases", true, API, h(s.listCases)},
		{"GET", "/api/v1/cases/{id}", true, API, h(s.getCase)},
		{"POST", "/api/v1/cases/{id}/transitions", true, API, h(s.transition)},
		{"GET", "/api/v1/grid/cells", true, API, h(s.gridCells)},
		{"GET", "/api/v1/stats", true, API, h(s.stats)},
		{"GET", "/api/v1/session", true, API, h(s.session)},
		{"POST", "/api/v1/tokens", true, API, h(s.createToken)},
		{"GET", "/api/v1/openapi.json", true, Public, h(s.openAPI)},
		{"GET", "/evidence/{sha256}", true, API, h(s.evidence)},
		{"GET", "/healthz", true, Public, h(s.healthz)},
		// Open for Prometheus; firewall it from everything but the scraper.
		{"GET", "/metrics", true, Public, promhttp.HandlerFor(s.opts.Gatherer, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelError)})},
	}
}

// csp allows only this origin's pictures, videos and style sheet: no
// scripts, no inline styles, no framing.
const csp = "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'self'; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		next.ServeHTTP(w, r)
	})
}

func (s *server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := s.opts.Store.Ping(ctx); err != nil {
		s.log.Error("health check", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("database unavailable\n"))
		return
	}
	_, _ = w.Write([]byte("ok\n"))
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

type apiError struct {
	Error string `json:"error"`
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, apiError{Error: msg})
}
