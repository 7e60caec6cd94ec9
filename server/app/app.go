// Package app wires the central server together: store, blob store, case
// logic, the gRPC service for edge boxes and the HTTP side. main is only
// flags and signals; tests start the whole server in-process with ports 0.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"google.golang.org/grpc"
	"google.golang.org/grpc/keepalive"

	"github.com/xiuhua/xiuhua/internal/logging"
	"github.com/xiuhua/xiuhua/server/auth"
	"github.com/xiuhua/xiuhua/server/blob"
	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/config"
	"github.com/xiuhua/xiuhua/server/grid"
	"github.com/xiuhua/xiuhua/server/ingest"
	"github.com/xiuhua/xiuhua/server/notify"
	"github.com/xiuhua/xiuhua/server/place"
	"github.com/xiuhua/xiuhua/server/store"
	"github.com/xiuhua/xiuhua/server/web"

	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// Files and folders under data_dir. DBFile is the SQLite database when
// store.dsn names none.
const (
	DBFile      = "xiuhua.db"
	EvidenceDir = "evidence"
	ModelsDir   = "models"
)

// ShutdownTimeout is how long Run waits for reports in flight and HTTP
// requests before it cuts them off.
const ShutdownTimeout = 10 * time.Second

// App is one running server.
type App struct {
	cfg      config.Config
	log      *slog.Logger
	store    store.Store
	cases    *cases.Service
	grid     grid.Grid
	ingest   *ingest.Service
	grpc     *grpc.Server
	http     *http.Server
	grpcLis  net.Listener
	httpLis  net.Listener
	registry *prometheus.Registry
	auth     *auth.Service
	devices  *auth.DeviceAuth
	notify   *notify.Dispatcher // nil without sinks
	sinks    []notify.Sink
	// notifyStop ends the dispatcher; notifyDone is closed when it has.
	notifyStop context.CancelFunc
	notifyDone chan struct{}
	recheck    *rechecker // nil when recheck.enabled is off
	blobs      blob.Store
	sweeper    *sweeper
	addresser  *place.Addresser

	runOnce   sync.Once
	closeOnce sync.Once
	closeErr  error
}

// Option changes how New builds the App.
type Option func(*options)

type options struct {
	log *slog.Logger
}

// WithLogger sets the logger; the default follows cfg.Log on stderr.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.log = l } }

// New validates cfg, opens the data folder and binds both listeners, so
// GRPCAddr and HTTPAddr are known when it returns. Run serves; Close
// releases everything if Run is never called.
func New(cfg config.Config, opts ...Option) (*App, error) {
	o := options{}
	for _, opt := range opts {
		opt(&o)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if o.log == nil {
		o.log = NewLogger(cfg.Log, os.Stderr)
	}
	a := &App{cfg: cfg, log: o.log}
	ok := false
	defer func() {
		if !ok {
			a.Close()
		}
	}()

	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("data_dir: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cells, err := openGrid(cfg.Grid)
	if err != nil {
		return nil, err
	}
	a.store, err = openStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if a.auth, a.devices, err = openAuth(ctx, cfg, a.store, a.log); err != nil {
		return nil, err
	}
	a.registry = prometheus.NewRegistry()
	a.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	blobs, err := openBlobs(ctx, cfg, a.registry, a.log)
	if err != nil {
		return nil, err
	}
	a.blobs = blobs
	a.sweeper = &sweeper{s: newSweeper(cfg.Blobs.Retention, a.store, blobs, a.registry, a.log)}

	router, dispatcher, err := openNotify(cfg.Notify, a.store, a.registry, a.log)
	if err != nil {
		return nil, err
	}
	casesCfg := cfg.Cases.CasesConfig()
	casesCfg.Grid = grid.Locator(cells)
	if a.addresser, err = openAddresser(cfg.Address, a.store, a.log); err != nil {
		return nil, err
	}
	casesCfg.Address, casesCfg.Opened = a.addresser.Local, a.addresser.Opened
	if router != nil {
		casesCfg.Events = router
		a.notify, a.sinks = dispatcher, router.Sinks()
	}
	a.cases = cases.New(a.store, casesCfg)
	a.grid = cells
	if unknown := unlistedUnits(cells, cfg.Grid.DefaultUnit, a.cases); len(unknown) > 0 {
		a.log.Warn("grid cells name units that cases.units does not list: their cases are dispatched only by choosing a listed unit",
			"units", unknown)
	}

	a.ingest = ingest.New(ingest.Options{
		Store:            a.store,
		Cases:            a.cases,
		Blobs:            blobs,
		ModelsDir:        filepath.Join(cfg.DataDir, ModelsDir),
		Models:           modelSource{st: a.store, blobs: blobs},
		MaxEvidenceBytes: cfg.Limits.MaxEvidenceBytes,
		MaxEvidenceFiles: cfg.Limits.MaxEvidenceFiles,
		Authorize:        a.devices.Authorize,
		CheckKey:         a.devices.CheckKey,
		PinnedKey:        a.devices.PinnedKey,
		Reauthorize:      a.devices.Reauthorize,

		ReportTimeout:             cfg.Limits.GRPC.ReportTimeout.D(),
		MaxReportStreamsPerDevice: cfg.Limits.GRPC.MaxReportStreamsPerDevice,
		ReportsPerMinute:          cfg.Limits.GRPC.ReportsPerMinute,
		HeartbeatWriteInterval:    cfg.Limits.GRPC.HeartbeatWriteInterval.D(),
		Metrics:                   ingest.NewMetrics(a.registry),
		Log:                       a.log,
	})
	a.recheck = openRecheck(cfg.Recheck, a.store, blobs, casesCfg.Events, cfg.Limits.MaxAttachmentBytes, a.ingest, a.registry, a.log)
	modelOpts, err := openModels(cfg, a.store, blobs, a.ingest, a.registry, a.log)
	if err != nil {
		return nil, err
	}
	grpcOpts := []grpc.ServerOption{
		// Notice dead edges (a cut uplink leaves no FIN) and let live
		// ones keep idle streams open.
		grpc.KeepaliveParams(keepalive.ServerParameters{Time: time.Minute, Timeout: 20 * time.Second}),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: 10 * time.Second, PermitWithoutStream: true}),
		// One connection may not open streams without end, and a message
		// may be as large as a re-check answer with two pictures at the
		// attachment limit (the default 4 MiB broke the control stream).
		grpc.MaxConcurrentStreams(uint32(cfg.Limits.GRPC.MaxConcurrentStreams)),
		grpc.MaxRecvMsgSize(config.MaxMessageBytes(cfg.Limits.MaxAttachmentBytes)),
	}
	if cfg.GRPC.TLS.Enabled() {
		creds, err := grpcCreds(cfg.GRPC.TLS)
		if err != nil {
			return nil, err
		}
		grpcOpts = append(grpcOpts, grpc.Creds(creds))
	}
	grpcOpts = append(grpcOpts, deviceInterceptors(a.devices)...)
	grpcOpts = append(grpcOpts, certInterceptors(cfg.GRPC.TLS)...)
	a.grpc = grpc.NewServer(grpcOpts...)
	xiuhuav1.RegisterEdgeServiceServer(a.grpc, a.ingest)

	proxies, err := config.TrustedProxies(cfg.HTTP.TrustedProxies)
	if err != nil {
		return nil, err
	}
	a.http = &http.Server{
		Handler: web.New(web.Options{
			Auth:           a.auth,
			SecureCookies:  cfg.Auth.SecureCookies || cfg.HTTP.TLS.Enabled(),
			TrustedProxies: proxies,
			Store:          a.store,
			Blobs:          blobs,
			Cases:          a.cases,
			Grid:           a.grid,

			EvidenceURLTTL: cfg.Blobs.EvidenceURLTTL.D(),
			EvidenceOrigin: evidenceOrigin(cfg.Blobs),

			MaxAttachmentBytes: cfg.Limits.MaxAttachmentBytes,
			DiskCheck:          diskCheck(cfg),
			Gatherer:           a.registry,
			Log:                a.log,
			Basemap:            basemap(cfg.Web.Basemap()),
			Location:           cfg.Web.Location(),
			Models:             modelOpts,
			Timeouts: web.Timeouts{
				Read:       cfg.Limits.HTTP.ReadTimeout.D(),
				Write:      cfg.Limits.HTTP.WriteTimeout.D(),
				Attachment: cfg.Limits.HTTP.AttachmentTimeout.D(),
				Upload:     cfg.Limits.HTTP.UploadTimeout.D(),
				Download:   cfg.Limits.HTTP.DownloadTimeout.D(),
			},
		}),
		// Body and answer deadlines are set per route (limits.http,
		// web.Timeouts); only the headers have a server-wide one.
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	// Live-update streams never end on their own: end them as HTTP stops.
	a.http.RegisterOnShutdown(a.http.Handler.(*web.Handler).Close)
	a.http.Handler = withHSTS(a.http.Handler, cfg.HTTP.TLS)

	if a.grpcLis, err = net.Listen("tcp", cfg.GRPC.Listen); err != nil {
		return nil, fmt.Errorf("grpc.listen: %w", err)
	}
	if a.httpLis, err = listenHTTP(cfg.HTTP); err != nil {
		return nil, err
	}
	ok = true
	return a, nil
}

// GRPCAddr is the address edge boxes connect to, with the real port.
func (a *App) GRPCAddr() string { return a.grpcLis.Addr().String() }

// HTTPAddr is the address of the pages and API, with the real port.
func (a *App) HTTPAddr() string { return a.httpLis.Addr().String() }

// Registry is the server's Prometheus registry.
func (a *App) Registry() *prometheus.Registry { return a.registry }

// Run serves until ctx is cancelled or a server fails, then stops
// gracefully and closes everything. It returns nil after a clean stop. Call
// it once.
func (a *App) Run(ctx context.Context) error {
	err := errors.New("app: Run called twice")
	a.runOnce.Do(func() { err = a.run(ctx) })
	return err
}

func (a *App) run(ctx context.Context) error {
	errc := make(chan error, 2)
	go func() {
		if err := a.grpc.Serve(a.grpcLis); err != nil {
			errc <- fmt.Errorf("grpc: %w", err)
			return
		}
		errc <- nil
	}()
	go func() {
		if err := a.http.Serve(a.httpLis); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("http: %w", err)
			return
		}
		errc <- nil
	}()
	a.recheck.start(ctx)
	a.sweeper.start(ctx)
	a.addresser.Start(ctx)
	if a.notify != nil {
		nctx, stop := context.WithCancel(context.WithoutCancel(ctx))
		a.notifyStop, a.notifyDone = stop, make(chan struct{})
		go func() {
			defer close(a.notifyDone)
			_ = a.notify.Run(nctx)
		}()
	}
	a.log.Info("server started",
		"grpc", a.GRPCAddr(), "grpc_tls", a.cfg.GRPC.TLS.Enabled(), "grpc_mtls", a.cfg.GRPC.TLS.MutualTLS(),
		"http", a.HTTPAddr(), "http_tls", a.cfg.HTTP.TLS.Enabled(), "cases", a.pagesURL(),
		"data_dir", a.cfg.DataDir)

	var runErr error
	pending := 2 // Serve calls not yet returned
	select {
	case <-ctx.Done():
		a.log.Info("stopping")
	case runErr = <-errc:
		pending--
		a.log.Error("server stopped unexpectedly, stopping the other", "err", runErr)
		if runErr == nil {
			runErr = errors.New("a server stopped unexpectedly")
		}
	}
	a.shutdown()
	for ; pending > 0; pending-- {
		if err := <-errc; err != nil && runErr == nil {
			runErr = err
		}
	}
	if err := a.Close(); err != nil && runErr == nil {
		runErr = err
	}
	if runErr == nil {
		a.log.Info("stopped")
	}
	return runErr
}

// shutdown stops taking work, in this order: control streams never end on
// their own, so ingest ends them first; then gRPC lets reports in flight
// finish (their ack means durable, so cutting them only causes a resend);
// then HTTP; the store closes last, in Close, after everything that uses it.
func (a *App) shutdown() {
	a.ingest.Shutdown()
	done := make(chan struct{})
	go func() {
		a.grpc.GracefulStop()
		close(done)
	}()
	timer := time.NewTimer(ShutdownTimeout)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		a.log.Warn("gRPC streams still open after the shutdown timeout; cutting them", "timeout", ShutdownTimeout)
		a.grpc.Stop()
		<-done
	}
	ctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	if err := a.http.Shutdown(ctx); err != nil {
		a.log.Warn("HTTP requests still open after the shutdown timeout; cutting them", "err", err)
		_ = a.http.Close()
	}
	// The dispatcher goes after HTTP, whose last transitions it may
	// deliver, and before the store closes under it. What it has not
	// delivered stays in the outbox for the next start.
	a.recheck.close() // before the store closes under it
	a.sweeper.close()
	if a.notifyStop != nil {
		a.notifyStop()
		<-a.notifyDone
	}
}

// Close releases listeners and the database. Run calls it; call it yourself
// only when Run was never called.
func (a *App) Close() error {
	a.closeOnce.Do(func() {
		if a.grpcLis != nil {
			_ = a.grpcLis.Close()
		}
		if a.httpLis != nil {
			_ = a.httpLis.Close()
		}
		for _, s := range a.sinks {
			s.Close()
		}
		if a.blobs != nil {
			_ = a.blobs.Close()
		}
		if a.store != nil {
			a.closeErr = a.store.Close()
		}
	})
	return a.closeErr
}

// pageURL is the case page's address for the log; a wildcard listen address
// is shown as localhost.
func pageURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr + "/"
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port) + "/"
}

// NewLogger returns the slog logger cfg asks for, writing to w. cfg has
// been validated, so the level and format are known names.
func NewLogger(cfg config.Log, w io.Writer) *slog.Logger {
	l, err := logging.New(w, cfg.Level, cfg.Format)
	if err != nil {
		return slog.New(slog.NewTextHandler(w, nil))
	}
	return l
}
