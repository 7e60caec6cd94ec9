package app

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/xiuhua/xiuhua/edge/config"
	"github.com/xiuhua/xiuhua/edge/outbox"
	"github.com/xiuhua/xiuhua/edge/pipeline"
	"github.com/xiuhua/xiuhua/edge/recheck"
	"github.com/xiuhua/xiuhua/edge/rules"
	"github.com/xiuhua/xiuhua/edge/warn"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// warnFirst wires warn first (先劝导、后立案) into the running edge: the
// chains hand it the violations of warn-first rules, it keeps their
// evidence under data_dir/warn/evidence and runs a warn.Flow whose second
// look is the AI re-check's, and whose outcome goes to the outbox as a
// case (with the warnings and the after-grace picture) or as a "corrected
// after warning" record.
type warnFirst struct {
	flow     *warn.Flow
	evidence string // folder of kept violations, one per event id
	policies map[string]config.Policy
	ob       *outbox.Outbox
	checker  *recheck.Checker
	log      *slog.Logger
}

// startWarnFirst builds the flow and sets each chain's Warn when any rule
// is warn first or entries from an earlier run wait; it returns nil
// otherwise. The flow runs in Run.
func startWarnFirst(cfg *config.Config, chains []*pipeline.Camera, cams []recheck.Camera, det pipeline.Detector,
	ob *outbox.Outbox, reg prometheus.Registerer, logger *slog.Logger) (*warnFirst, error) {
	w := &warnFirst{policies: map[string]config.Policy{}, ob: ob, log: logger.With("component", "warn")}
	players := map[string]warn.Player{}
	metrics := warn.NewMetrics(reg)
	for _, c := range cfg.Cameras {
		for _, z := range c.Zones {
			for _, r := range z.Rules {
				if p := cfg.PolicyFor(r); p.Mode == config.EnforceWarnFirst {
					w.policies[policyKey(c.ID, z.ID, r.ID)] = p
				}
			}
		}
		players[c.ID] = warn.ForCamera(c, metrics, logger)
	}
	dir := filepath.Join(cfg.Device.DataDir, "warn")
	if len(w.policies) == 0 {
		if _, err := os.Stat(filepath.Join(dir, "pending")); err != nil {
			return nil, nil
		}
		// No rule warns first any more, but violations warned about
		// before the change still wait: the flow runs to file them.
	}
	store, err := warn.OpenPendingStore(filepath.Join(dir, "pending"))
	if err != nil {
		return nil, fmt.Errorf("warn first: %w", err)
	}
	w.evidence = filepath.Join(dir, "evidence")
	// Its own checker: the server's re-checks may be turned off, the
	// second look of warn first may not.
	w.checker = recheck.New(recheck.Options{Cameras: cams, Detector: det, Annotator: chains[0].Annotator, Log: logger})
	w.flow = &warn.Flow{
		Policy:   w.policy,
		Player:   func(camera string) warn.Player { return players[camera] },
		Store:    store,
		Hooks:    warn.Hooks{Look: w.look, File: w.file, Corrected: w.corrected},
		Location: timezone(*cfg),
		Metrics:  metrics,
		Logger:   w.log,
	}
	for _, ch := range chains {
		ch.Warn = cameraWarn{w: w, camera: ch.Source.CameraID}
	}
	return w, nil
}

// Run runs the flow until ctx ends; it stops with the cameras, whose
// frames its second look needs.
func (w *warnFirst) Run(ctx context.Context) {
	if err := w.flow.Run(ctx); err != nil {
		w.log.Error("warn first stopped", "err", err)
	}
	w.checker.Close()
}

func policyKey(camera, zone, rule string) string { return camera + "/" + zone + "/" + rule }

func (w *warnFirst) policy(v warn.Violation) config.Policy {
	if p, ok := w.policies[policyKey(v.Camera, v.Zone, v.Rule)]; ok {
		return p
	}
	// The rule is no longer warn first (the config changed over a
	// restart): file what is pending.
	return config.DefaultPolicy()
}

// cameraWarn is one chain's pipeline.WarnFirst.
type cameraWarn struct {
	w      *warnFirst
	camera string
}

func (c cameraWarn) Takes(v rules.Violation) bool {
	_, ok := c.w.policies[policyKey(c.camera, v.Zone.ID, v.Rule.ID)]
	return ok
}

// Raise keeps the violation's evidence, then gives it to the flow.
func (c cameraWarn) Raise(rep *xiuhuav1.ViolationReport, files []outbox.File) error {
	dir := filepath.Join(c.w.evidence, rep.EventId)
	if err := keep(dir, rep, files); err != nil {
		_ = os.RemoveAll(dir)
		return err
	}
	err := c.w.flow.Raise(context.Background(), warn.Violation{ID: rep.EventId, Camera: rep.CameraId,
		Zone: rep.ZoneId, Rule: rep.RuleId, Type: rep.ViolationType, At: rep.ObservedAt.AsTime(), Evidence: dir})
	if err != nil {
		// Filed at once (quiet hours) and that failed: the pipeline
		// stores it itself.
		_ = os.RemoveAll(dir)
	}
	return err
}
