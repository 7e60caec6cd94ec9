package app

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/xiuhua/xiuhua/edge/config"
	"github.com/xiuhua/xiuhua/edge/detect"
	"github.com/xiuhua/xiuhua/edge/modelswap"
	"github.com/xiuhua/xiuhua/edge/pipeline"
	"github.com/xiuhua/xiuhua/edge/rules"
	"github.com/xiuhua/xiuhua/edge/uplink"
	"github.com/xiuhua/xiuhua/edge/vision"
	"github.com/xiuhua/xiuhua/internal/conf"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// detectOptions are the runtime options every model of this box opens with.
func detectOptions(cfg *config.Config) detect.Options {
	return detect.Options{
		LibraryPath:       cfg.Model.OnnxruntimeLibrary,
		IntraOpThreads:    cfg.Model.Threads,
		Backend:           cfg.Model.Backend,
		Providers:         cfg.Model.Providers,
		GraphOptimization: cfg.Model.GraphOptimization,
	}
}

// checkExpectInput refuses, at start, a model whose input size is not the
// one model.expect_input pins; a swap refuses it in modelswap.
func checkExpectInput(cfg *config.Config, m *detect.Manifest) error {
	in := cfg.Model.ExpectInput
	if in == nil || (in.Width == m.Input.Width && in.Height == m.Input.Height) {
		return nil
	}
	var errs conf.Errors
	errs.Add("model.expect_input", [2]int{in.Width, in.Height},
		fmt.Sprintf("the input size of the model %q, which is %dx%d", cfg.Model.Manifest, m.Input.Width, m.Input.Height))
	return errs.Err()
}

// newModels puts the opened first model under a swap manager, which every
// camera chain uses as its detector. classless are the rules configured
// without classes (classlessRules), whose classes follow the model.
func newModels(cfg *config.Config, classless map[string]bool, det detect.Detector, m *detect.Manifest, reg prometheus.Registerer, logger *slog.Logger) *modelswap.Manager {
	mc := modelswap.Config{
		Open: func(m *detect.Manifest) (detect.Detector, error) {
			return openDetector(cfg, m)
		},
		Probation:    cfg.Model.Probation.D(),
		MaxErrorRate: cfg.Model.MaxErrorRate,
		ErrorWindow:  cfg.Model.ErrorWindow,
		Warmup:       cfg.Model.Warmup,
		Rules:        ruleClasses(cfg, classless),
		Log:          logger.With("component", "modelswap"),
		Metrics:      modelswap.NewMetrics(reg),
	}
	if in := cfg.Model.ExpectInput; in != nil {
		mc.ExpectInput = &[2]int{in.Width, in.Height}
	}
	if !cfg.Model.Watch {
		mc.Record = activeRecord(cfg)
	}
	return modelswap.New(mc, det, m.Classes)
}

// activeRecord is where the model that last passed probation is recorded.
func activeRecord(cfg *config.Config) string {
	return filepath.Join(cfg.Device.DataDir, "models", modelswap.ActiveFile)
}

// openStartModel opens the model the edge starts on: the one that last
// passed probation after a server's assignment, when it is recorded, still
// verifies (sha256), loads, fits model.expect_input and has classes for
// every configured rule; otherwise, with a warning saying why, the
// configured model.manifest. In local mode (model.watch) the watched
// manifest is the model: a record left from server mode is removed, so it
// cannot bring back an older model later.
func openStartModel(cfg *config.Config, logger *slog.Logger) (detect.Detector, *detect.Manifest, error) {
	record := activeRecord(cfg)
	if cfg.Model.Watch {
		removed, err := modelswap.ClearActive(record)
		switch {
		case err != nil:
			logger.Warn("local mode: could not remove the remembered model", "record", record, "err", err)
		case removed:
			logger.Info("local mode: forgot the model remembered from a server assignment; starting on the watched manifest",
				"manifest", cfg.Model.Manifest)
		}
		return openModel(cfg)
	}
	det, m, err := openRemembered(cfg, record)
	switch {
	case err != nil:
		logger.Warn("remembered model not used; starting on the configured model", "record", record,
			"manifest", cfg.Model.Manifest, "reason", err)
	case det != nil:
		logger.Info("starting on the model remembered from the last swap", "name", m.Name, "version", m.Version,
			"folder", m.Dir, "configured", cfg.Model.Manifest)
		return det, m, nil
	}
	return openModel(cfg)
}

// openRemembered opens the recorded model, or returns nothing at all when
// there is no record. The rules' classes are resolved against it on a copy
// of the cameras, kept only when the model is used, so a refusal leaves cfg
// as it was for the configured model.
func openRemembered(cfg *config.Config, record string) (detect.Detector, *detect.Manifest, error) {
	a, m, err := modelswap.LoadActive(record)
	if err != nil || a == nil {
		return nil, nil, err
	}
	trial := *cfg
	trial.Cameras = cloneCameras(cfg.Cameras)
	trial.Model.Manifest = a.Manifest
	if err := checkExpectInput(&trial, m); err != nil {
		return nil, nil, err
	}
	if err := resolveRuleClasses(&trial, m.Classes); err != nil {
		return nil, nil, fmt.Errorf("its classes do not cover the configured rules: %w", err)
	}
	det, err := openDetector(cfg, m)
	if err != nil {
		return nil, nil, fmt.Errorf("load remembered model %s %s: %w", a.Name, a.Version, err)
	}
	cfg.Cameras = trial.Cameras
	return det, m, nil
}

// cloneCameras copies cameras down to each rule's classes, the part
// resolveRuleClasses writes.
func cloneCameras(cams []config.Camera) []config.Camera {
	out := slices.Clone(cams)
	for i := range out {
		out[i].Zones = slices.Clone(out[i].Zones)
		for j := range out[i].Zones {
			out[i].Zones[j].Rules = slices.Clone(out[i].Zones[j].Rules)
			for k := range out[i].Zones[j].Rules {
				r := &out[i].Zones[j].Rules[k]
				r.Classes = slices.Clone(r.Classes)
			}
		}
	}
	return out
}

// ruleClasses lists every rule with the classes it was resolved to. A rule
// configured without classes follows the model's classes, unless it runs
// as a persistent-change watch (the start model had none of its defaults):
// change watches are set up at start only.
func ruleClasses(cfg *config.Config, classless map[string]bool) []modelswap.RuleClasses {
	var out []modelswap.RuleClasses
	for _, c := range cfg.Cameras {
		for _, z := range c.Zones {
			for _, r := range z.Rules {
				out = append(out, modelswap.RuleClasses{Camera: c.ID, Zone: z.ID, Rule: r.ID, Classes: r.Classes,
					Type: r.Type, Defaults: classless[ruleKey(c.ID, z.ID, r.ID)] && len(r.Classes) > 0})
			}
		}
	}
	return out
}

// followModelClasses hands each camera chain's rules engine the classes
// its rules configured without classes count under each model that
// becomes active; each chain applies them at its first frame of that model.
func followModelClasses(models *modelswap.Manager, chains []*pipeline.Camera, logger *slog.Logger) {
	engines := make(map[string]*rules.Engine, len(chains))
	for _, c := range chains {
		engines[c.Source.CameraID] = c.Rules
	}
	models.OnSwap(func(_ vision.ModelInfo, follow []modelswap.RuleClasses) {
		for _, r := range follow {
			if e := engines[r.Camera]; e == nil || !e.SetClasses(r.Zone, r.Rule, r.Classes) {
				logger.Error("rule classes not updated: no such rule in the camera's chain", "rule", ruleKey(r.Camera, r.Zone, r.Rule))
			}
		}
	})
}

// startModelOps wires model changes: the server's assignments (downloaded
// through the uplink), local mode's folder watch, and status reports. The
// goroutines join wg and stop with ctx, before the uplink and the models
// are closed.
func startModelOps(ctx context.Context, wg *sync.WaitGroup, cfg *config.Config, models *modelswap.Manager, up *uplink.Client, ids []string, logger *slog.Logger) {
	log := logger.With("component", "modelswap")
	models.OnStatus(func(st *xiuhuav1.ModelStatus) {
		// The server keeps each status whole: without the cameras it
		// would show none until the next heartbeat.
		up.Reply(&xiuhuav1.EdgeMessage{Msg: &xiuhuav1.EdgeMessage_ModelStatus{ModelStatus: withCameras(st, ids)}})
	})
	as := modelswap.NewAssignments(models, &modelswap.Downloader{
		Dir: filepath.Join(cfg.Device.DataDir, "models"), Fetch: up, Log: log,
	}, log)
	up.OnCommand(func(_ context.Context, m *xiuhuav1.ServerMessage) {
		if a := m.GetModelAssignment(); a != nil {
			as.Offer(a)
		}
	})
	wg.Go(func() { as.Run(ctx) })
	if cfg.Model.Watch {
		w := &modelswap.Watcher{Manifest: cfg.Model.Manifest, Interval: cfg.Model.WatchInterval.D(), Manager: models, Log: log}
		wg.Go(func() { w.Run(ctx) })
		log.Info("local mode: watching the model manifest", "manifest", cfg.Model.Manifest, "every", cfg.Model.WatchInterval.D())
	}
}

// withModelStatus adds the model state to a heartbeat, every camera running
// the shared model.
func withModelStatus(hb *xiuhuav1.Heartbeat, models *modelswap.Manager, ids []string) *xiuhuav1.Heartbeat {
	hb.ModelStatus = withCameras(models.Status(), ids)
	return hb
}

// withCameras lists every camera as running st's running model.
func withCameras(st *xiuhuav1.ModelStatus, ids []string) *xiuhuav1.ModelStatus {
	st.Cameras = st.Cameras[:0]
	for _, id := range ids {
		st.Cameras = append(st.Cameras, &xiuhuav1.CameraModel{CameraId: id, Model: st.GetRunning()})
	}
	return st
}
