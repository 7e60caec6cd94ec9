package app

import (
	"log/slog"

	"github.com/xiuhua/xiuhua/edge/config"
	"github.com/xiuhua/xiuhua/edge/evidence"
	"github.com/xiuhua/xiuhua/edge/pipeline"
	"github.com/xiuhua/xiuhua/edge/recheck"
	"github.com/xiuhua/xiuhua/edge/uplink"
)

// startRecheck answers the server's AI re-checks: each camera chain lends
// its frames through a Peeker, the checks share the chains' model, and the
// answers go back on the control stream. Call it before the chains run;
// close the Checker before the model.
func startRecheck(cfg config.Recheck, chains []*pipeline.Camera, det pipeline.Detector, up *uplink.Client, logger *slog.Logger) *recheck.Checker {
	cams := make([]recheck.Camera, len(chains))
	var ann evidence.Annotator
	for i, ch := range chains {
		ch.Peek = pipeline.NewPeeker()
		cams[i] = recheck.Camera{ID: ch.Source.CameraID, Frames: ch.Peek, Zones: ch.Rules.Zones()}
		for _, w := range ch.Changes {
			cams[i].Changes = append(cams[i].Changes, recheck.Change{Zone: w.Zone, Rule: w.Rule, Reference: w.Reference,
				CellThreshold: w.Config.CellThreshold, MinFraction: w.Config.MinFraction})
		}
		ann = ch.Annotator
	}
	c := recheck.New(recheck.Options{Cameras: cams, Detector: det, Annotator: ann, Reply: up.Reply,
		Looks: cfg.Looks, Off: !cfg.Enabled, Log: logger})
	up.OnCommand(c.Handle)
	return c
}
