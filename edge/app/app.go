// Package app wires the edge node together from its configuration and runs
// it until the context ends. It is the whole edge binary minus flag
// parsing, so tests can run a real node in-process.
package app

import (
	"context"
	"errors"
	"fmt"
	"image"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/xiuhua/xiuhua/edge/config"
	"github.com/xiuhua/xiuhua/edge/detect"
	"github.com/xiuhua/xiuhua/edge/identity"
	"github.com/xiuhua/xiuhua/edge/ingest"
	"github.com/xiuhua/xiuhua/edge/outbox"
	"github.com/xiuhua/xiuhua/edge/pipeline"
	"github.com/xiuhua/xiuhua/edge/uplink"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// Run starts every part of the edge node and blocks until ctx is done, then
// stops them in order: cameras and pipelines first (no new violations),
// then the uplink (so an in-flight report finishes or stays queued), then
// the HTTP endpoint; the model and the outbox are closed last because the
// others use them. A configuration problem found only now (a rule class the
// model does not have) is returned as a *conf.FieldError.
func Run(ctx context.Context, cfg config.Config, logger *slog.Logger) error {
	id, err := identity.LoadOrCreate(filepath.Join(cfg.Device.DataDir, "device.key"))
	if err != nil {
		return fmt.Errorf("device key: %w", err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	ob, err := outbox.Open(filepath.Join(cfg.Device.DataDir, "outbox"), logger.With("component", "outbox"), reg,
		outbox.WithSigner(id.Sign), outbox.WithQuota(cfg.Outbox.Quota()))
	if err != nil {
		return fmt.Errorf("open outbox: %w", err)
	}
	defer ob.Close()

	// Rules without classes follow the model's: noted before the start
	// model's fill them in.
	classless := classlessRules(cfg.Cameras)
	det, manifest, err := openStartModel(&cfg, logger)
	if err != nil {
		return err
	}
	// Every camera shares the swap manager: it runs one frame at a time
	// and changes models only between frames.
	shared := newModels(&cfg, classless, det, manifest, reg, logger)
	defer shared.Close()
	info := shared.Info()
	logger.Info("model loaded", "name", info.Name, "version", info.Version, "sha256", info.SHA256)

	ingestMetrics := ingest.NewMetrics(reg)
	pipeMetrics := pipeline.NewMetrics(reg)
	cams := make([]*ingest.Camera, len(cfg.Cameras))
	ids := make([]string, len(cfg.Cameras))
	chains := make([]*pipeline.Camera, len(cfg.Cameras))
	fl := newFleet(cfg, logger)
	for i, c := range cfg.Cameras {
		ids[i] = c.ID
		cams[i] = ingest.NewCamera(fl.ingestConfig(cfg, i), logger, ingestMetrics)
		chains[i] = newChain(cfg, c, cams[i], shared, ob, logger, pipeMetrics)
		chains[i].Regions = cameraRegions(c, chains[i].Rules.Zones(), image.Pt(manifest.Input.Width, manifest.Input.Height))
		fl.register(c, cams[i], chains[i])
	}
	reg.MustRegister(fl.collector())
	followModelClasses(shared, chains, logger.With("component", "modelswap"))

	up, err := uplink.New(uplinkConfig(cfg), ob, id,
		func() *xiuhuav1.Hello { return hello(cfg, id, shared.Info()) },
		func() *xiuhuav1.Heartbeat {
			return fl.heartbeat(withModelStatus(withLooks(heartbeat(cams, ids, ob), chains), shared, ids), cams)
		},
		logger.With("component", "uplink"))
	if err != nil {
		return fmt.Errorf("uplink: %w", err)
	}
	// AI re-checks look through the chains' frames with their model; the
	// checker stops (deferred, so before the model closes) after them.
	rechecker := startRecheck(cfg.Recheck, chains, shared, up, logger)
	defer rechecker.Close()
	// Warn first takes the violations of its rules from the chains; it
	// looks again through the same frames, so it stops with the cameras.
	wf, err := startWarnFirst(&cfg, chains, recheckCameras(chains), shared, ob, reg, logger)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", cfg.HTTP.Listen)
	if err != nil {
		return fmt.Errorf("listen http %s: %w", cfg.HTTP.Listen, err)
	}
	httpSrv := &http.Server{Handler: httpHandler(reg, fl, cams, ids, ob), ReadHeaderTimeout: 5 * time.Second}
	logger.Info("edge started", "device", cfg.Device.ID, "cameras", len(cams), "server", cfg.Server.Address,
		"metrics", "http://"+ln.Addr().String()+"/metrics")

	// Three groups, each with its own context, so they stop in order.
	camCtx, stopCams := context.WithCancel(context.Background())
	var camWG sync.WaitGroup
	fl.start(camCtx, &camWG, cams)
	for i := range chains {
		camWG.Go(func() { chains[i].Run(camCtx) })
	}
	// Model changes stop with the cameras: before the uplink they download
	// through, and before the models are closed.
	if wf != nil {
		camWG.Go(func() { wf.Run(camCtx) })
	}
	startModelOps(camCtx, &camWG, &cfg, shared, up, ids, logger)
	upCtx, stopUp := context.WithCancel(context.Background())
	upDone := make(chan error, 1)
	go func() { upDone <- up.Run(upCtx) }()
	httpDone := make(chan error, 1)
	go func() { httpDone <- httpSrv.Serve(ln) }()

	var runErr error
	select {
	case <-ctx.Done():
	case err := <-httpDone:
		runErr = fmt.Errorf("http server: %w", err)
	}
	logger.Info("edge stopping")
	stopCams()
	camWG.Wait()
	stopUp()
	if err := <-upDone; err != nil && !errors.Is(err, context.Canceled) {
		logger.Warn("uplink stopped with error", "err", err)
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = httpSrv.Shutdown(shutCtx)
	return runErr
}

func openModel(cfg *config.Config) (detect.Detector, *detect.Manifest, error) {
	m, err := detect.LoadManifest(cfg.Model.Manifest)
	if err != nil {
		return nil, nil, fmt.Errorf("model manifest: %w", err)
	}
	if err := checkExpectInput(cfg, m); err != nil {
		return nil, nil, err
	}
	if err := resolveRuleClasses(cfg, m.Classes); err != nil {
		return nil, nil, err
	}
	det, err := openDetector(cfg, m)
	if err != nil {
		return nil, nil, fmt.Errorf("open model %q: %w", cfg.Model.Manifest, err)
	}
	return det, m, nil
}
