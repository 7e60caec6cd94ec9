// Package web is the server's HTTP side: the officers' case list page, the
// JSON API, evidence downloads, health and metrics.
package web

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/netip"
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
	// CountByCell counts the map's open cases per grid cell.
	CountByCell(ctx context.Context, statuses []string) (map[string]int, error)
	// Autonomy counts warned violations corrected and filed (自治率).
	Autonomy(ctx context.Context, q store.StatsQuery) (store.Autonomy, error)
	// CaseFigures computes the centre's figures (store.Figures).
	CaseFigures(ctx context.Context, q store.FiguresQuery) (store.CaseFigures, error)
	Ping(ctx context.Context) error
	// CasesChangedSince feeds the live updates (store.Live).
	CasesChangedSince(ctx context.Context, since time.Time, limit int) ([]store.Case, error)
}

// Blobs opens evidence content and stores attachments: a blob.Store,
// wrapped in blob.Checked so that corrupt content is refused.
type Blobs = blob.Store

// Options configure the handler. Store, Blobs, Cases and Auth are required.
type Options struct {
	// Auth signs officers in and resolves sessions and API tokens.
	Auth *auth.Service
	// SecureCookies marks cookies Secure on plain HTTP too (behind a TLS
	// proxy); over TLS they are Secure anyway.
	SecureCookies bool
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client (http.trusted_proxies); none: the connection's peer is.
	TrustedProxies []netip.Prefix
	Store          Store
	Blobs          Blobs
	// EvidenceURLTTL, when above zero and Blobs can presign (S3), sends
	// browsers to the object store with URLs valid this long instead of
	// streaming evidence through this server.
	EvidenceURLTTL time.Duration
	// EvidenceOrigin is the object store's scheme://host[:port], which
	// the pages' Content-Security-Policy then allows pictures and videos
	// from; only with EvidenceURLTTL.
	EvidenceOrigin string
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
	// Basemap are the maps' tile sources (web.basemap), the first shown
	// first; none draws the maps from grid cells alone, with a note.
	Basemap []TileSource
	// Models is the model registry and training data export (models.go);
	// nil answers its routes 503.
	Models *ModelOptions
	// Timeouts are the deadlines by kind of route; zero fields take
	// DefaultTimeouts'.
	Timeouts Timeouts
	// DiskCheck, when set, is part of /healthz: an error (a disk too full
	// to take uploads) makes it answer 503 with the error.
	DiskCheck func() error

	// mapPoints, when above zero, replaces the const mapPoints (tests).
	mapPoints int
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
	opts    Options
	log     *slog.Logger
	hub     *hub
	streams *streams
	csp     string
	// keepAlive is how often a live-update stream gets a comment line and
	// checks its credentials again: sseKeepAlive, shorter in tests.
	keepAlive time.Duration
}

func (s *server) now() time.Time { return s.opts.Now() }

// Handler is the server's HTTP side. Close it when the HTTP server shuts
// down (http.Server.RegisterOnShutdown): live-update streams never end on
// their own.
type Handler struct {
	http.Handler
	s *server
}

// Close ends the live-update streams and their database poll.
func (h *Handler) Close() { h.s.hub.close() }

// New returns the HTTP handler.
func New(opts Options) *Handler {
	s := newServer(opts)
	mux := http.NewServeMux()
	for _, rt := range s.routes() {
		mux.Handle(rt.Method+" "+rt.Pattern, s.withDeadlines(classOf(rt.Method, rt.Pattern), s.guard(rt.Access, rt.Handler)))
	}
	// The default deadlines first, for what no route matches; each route
	// then sets its own.
	return &Handler{Handler: securityHeaders(s.csp, s.withDeadlines(classNormal, mux)), s: s}
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
	d := DefaultTimeouts
	for _, f := range []struct{ v, def *time.Duration }{
		{&opts.Timeouts.Read, &d.Read}, {&opts.Timeouts.Write, &d.Write}, {&opts.Timeouts.Attachment, &d.Attachment},
		{&opts.Timeouts.Upload, &d.Upload}, {&opts.Timeouts.Download, &d.Download},
	} {
		if *f.v <= 0 {
			*f.v = *f.def
		}
	}
	if opts.MaxAttachmentBytes <= 0 {
		opts.MaxAttachmentBytes = DefaultMaxAttachmentBytes
	}
	s := &server{opts: opts, log: opts.Log.With("component", "web"), csp: allowEvidenceOrigin(contentSecurityPolicy(tileOrigins(opts.Basemap)), opts.EvidenceOrigin)}
	s.hub = newHub(opts.Store, s.log, livePollInterval)
	s.streams = newStreams()
	s.keepAlive = sseKeepAlive
	return s
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
		// Every other GET path: a styled 404 page (JSON under /api/).
		{"GET", "/", false, Public, h(s.notFoundPage)}, // signed in or not: a 404 is no reason to sign in
		{"GET", "/cases/{id}", false, Page, h(s.casePage)},
		{"GET", "/map", false, Page, h(s.mapPage)},
		{"GET", "/stats", false, Page, h(s.statsPage)},
		{"GET", "/stats.csv", false, Page, h(s.statsCSV)},
		{"GET", "/api/v1/events", true, API, h(s.events)},
		{"GET", "/login", false, Public, h(s.loginPage)},
		{"POST", "/login", false, Public, h(s.login)},
		{"POST", "/logout", false, Page, h(s.logout)},
		{"GET", "/static/", false, Public, http.StripPrefix("/static/", staticFiles())},
		{"GET", "/api/v1/cases", true, API, h(s.listCases)},
		{"GET", "/api/v1/cases/{id}", true, API, h(s.getCase)},
		{"POST", "/api/v1/cases/{id}/transitions", true, API, h(s.transition)},
		{"GET", "/api/v1/grid/cells", true, API, h(s.gridCells)},
		{"GET", "/api/v1/units", true, API, h(s.listUnits)},
		{"GET", "/api/v1/users", true, API, h(s.listUsers)},
		{"GET", "/api/v1/stats", true, API, h(s.stats)},
		{"GET", "/api/v1/session", true, API, h(s.session)},
		{"POST", "/api/v1/tokens", true, API, h(s.createToken)},
		{"GET", "/api/v1/openapi.json", true, Public, h(s.openAPI)},
		{"GET", "/evidence/{sha256}", true, API, h(s.evidence)},
		{"GET", "/healthz", true, Public, h(s.healthz)},
		// Model registry, rollouts and training data (models.go); admin only.
		{"GET", "/models", false, Page, h(s.modelsPage)},
		{"POST", "/models/upload", false, Public, h(s.modelsPageUpload)}, // checks session and CSRF itself: a multipart form
		{"POST", "/models/groups", false, Page, h(s.modelsPageGroup)},
		{"POST", "/models/rollouts", false, Page, h(s.modelsPageRollout)},
		{"GET", "/api/v1/models", true, API, h(s.listModels)},
		{"POST", "/api/v1/models", true, API, h(s.uploadModel)},
		{"POST", "/api/v1/groups", true, API, h(s.putGroup)},
		{"POST", "/api/v1/rollouts", true, API, h(s.createRollout)},
		{"GET", "/api/v1/devices/{id}/model", true, API, h(s.deviceModel)},
		{"GET", "/api/v1/export/dataset", true, API, h(s.exportDataset)},
		// Open for Prometheus; firewall it from everything but the scraper.
		{"GET", "/metrics", true, Public, promhttp.HandlerFor(s.opts.Gatherer, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelError)})},
	}
}

// contentSecurityPolicy allows only this origin's pictures, videos, style
// sheet and script (and the tile servers' pictures, exactly their hosts):
// no inline scripts or styles, no framing. The map script sets styles
// through the DOM, which style-src does not govern.
//
// With tiles, data: pictures are allowed too: Leaflet blanks a tile it
// drops by loading a built-in one-pixel data: GIF, which the policy would
// otherwise refuse (and log) on every pan and zoom. A data: picture runs
// nothing.
func contentSecurityPolicy(tileOrigins []string) string {
	img := "img-src 'self'"
	if len(tileOrigins) > 0 {
		img += " data:"
	}
	for _, o := range tileOrigins {
		img += " " + o
	}
	return "default-src 'none'; " + img + "; media-src 'self'; style-src 'self'; script-src 'self'; connect-src 'self'; " +
		"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
}

func securityHeaders(csp string, next http.Handler) http.Handler {
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
	if s.opts.DiskCheck != nil {
		if err := s.opts.DiskCheck(); err != nil {
			s.log.Error("health check", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(err.Error() + "\n"))
			return
		}
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
