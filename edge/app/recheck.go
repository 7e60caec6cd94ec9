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
	for _, ch := range chains {
		ch.Peek = pipeline.NewPeeker()
	}
	var ann evidence.Annotator
	if len(chains) > 0 {
		ann = chains[0].Annotator
	}
	c := recheck.New(recheck.Options{Cameras: recheckCameras(chains), Detector: det, Annotator: ann, Reply: up.Reply,
		Looks: cfg.Looks, Off: !cfg.Enabled, Log: logger})
	up.OnCommand(c.Handle)
	return c
}

// recheckCameras describes the chains to a recheck.Checker; their Peek
// must be set.
func recheckCameras(chains []*pipeline.Camera) []recheck.Camera {
	cams := make([]recheck.Camera, len(chains))
	for i, ch := range chains {
		cams[i] = recheck.Camera{ID: ch.Source.CameraID, Frames: ch.Peek, Zones: ch.Rules.Zones()}
		for _, w := range ch.Changes {
			cams[i].Changes = append(cams[i].Changes, recheck.Change{Zone: w.Zone, Rule: w.Rule, Reference: w.Reference,
				CellThreshold: w.Config.CellThreshold, MinFraction: w.Config.MinFraction})
		}
	}
	return cams
}
