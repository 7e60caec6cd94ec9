package app

import (
	"context"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/xiuhua/xiuhua/server/blob"
	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/config"
	"github.com/xiuhua/xiuhua/server/ingest"
	"github.com/xiuhua/xiuhua/server/recheck"
	"github.com/xiuhua/xiuhua/server/store"
)

// rechecker runs the AI re-check beside the gRPC service: a control on
// every device's stream and a poller of its own.
type rechecker struct {
	svc  *recheck.Service
	stop context.CancelFunc
	done chan struct{}
}

// openRecheck adds the re-check to ing's control streams; nil when the
// configuration turns it off.
func openRecheck(cfg config.Recheck, st store.Store, blobs blob.Store, events cases.Events, maxPicture int64,
	ing *ingest.Service, reg prometheus.Registerer, log *slog.Logger) *rechecker {
	if !cfg.Enabled {
		return nil
	}
	svc := recheck.New(recheck.Options{
		Store:            st,
		Blobs:            blobs,
		Events:           events,
		Kick:             ing.Kick,
		Timeout:          cfg.Timeout.D(),
		Look:             cfg.Look.D(),
		Resend:           cfg.Resend.D(),
		Poll:             cfg.Poll.D(),
		MaxSnapshotBytes: maxPicture,
		Metrics:          recheck.NewMetrics(reg),
		Log:              log,
	})
	ing.AddControl(svc)
	return &rechecker{svc: svc}
}

// start runs the poller until stop; ctx's values are kept, its end is not:
// shutdown stops the poller in its turn.
func (r *rechecker) start(ctx context.Context) {
	if r == nil {
		return
	}
	ctx, r.stop = context.WithCancel(context.WithoutCancel(ctx))
	r.done = make(chan struct{})
	go func() {
		defer close(r.done)
		_ = r.svc.Run(ctx)
	}()
}

// close stops the poller and waits for it; a re-check it was filing is
// filed again by the next start (or another replica).
func (r *rechecker) close() {
	if r == nil || r.stop == nil {
		return
	}
	r.stop()
	<-r.done
}
