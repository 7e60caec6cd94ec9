// Package web is the server's HTTP side: the officers' case list page, the
// JSON API, evidence downloads, health and metrics.
package web

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/xiuhua/xiuhua/server/store"
)

// Store is the part of the database the web side reads.
type Store interface {
	ListCases(ctx context.Context, f store.CaseFilter) (store.CasePage, error)
	GetCase(ctx context.Context, id string) (*store.CaseDetail, error)
	GetEvidence(ctx context.Context, sha256 string) (*store.Evidence, error)
	Ping(ctx context.Context) error
}

// Blobs opens evidence content; *blob.Store implements it.
type Blobs interface {
	Open(sha256 string) (*os.File, error)
}

// Options configure the handler. Store and Blobs are required.
type Options struct {
	Store Store
	Blobs Blobs
	// Gatherer is served at /metrics; nil serves the default registry.
	Gatherer prometheus.Gatherer
	// Location is the time zone of the pages; default time.Local.
	Location *time.Location
	Log      *slog.Logger
}

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

// New returns the HTTP handler.
func New(opts Options) http.Handler {
	if opts.Location == nil {
		opts.Location = time.Local
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	if opts.Gatherer == nil {
		opts.Gatherer = prometheus.DefaultGatherer
	}
	s := &server{opts: opts, log: opts.Log.With("component", "web")}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.casesPage)
	mux.Handle("GET /static/", http.StripPrefix("/static/", staticFiles()))
	mux.HandleFunc("GET /api/v1/cases", s.listCases)
	mux.HandleFunc("GET /api/v1/cases/{id}", s.getCase)
	mux.HandleFunc("GET /evidence/{sha256}", s.evidence)
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(opts.Gatherer, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelError)}))
	return securityHeaders(mux)
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
