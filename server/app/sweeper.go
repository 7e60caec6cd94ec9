package app

import (
	"context"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/xiuhua/xiuhua/server/blob"
	"github.com/xiuhua/xiuhua/server/config"
	"github.com/xiuhua/xiuhua/server/retention"
	"github.com/xiuhua/xiuhua/server/store"
)

// newSweeper applies cfg.Blobs.Retention.
func newSweeper(cfg config.Retention, st store.Retention, blobs blob.Store, reg prometheus.Registerer, log *slog.Logger) *retention.Sweeper {
	rules := make([]retention.Rule, len(cfg.Rules))
	for i, r := range cfg.Rules {
		rules[i] = retention.Rule{Kind: r.Kind, Outcome: r.Outcome, After: r.After.D()}
	}
	return retention.New(retention.Options{
		Store: st, Blobs: blobs, Rules: rules,
		Interval: cfg.Interval.D(), OrphanGrace: cfg.OrphanGrace.D(),
		Metrics: retention.NewMetrics(reg), Log: log,
	})
}

// sweeper runs the retention sweeper from Run until shutdown.
type sweeper struct {
	s    *retention.Sweeper
	stop context.CancelFunc
	done chan struct{}
}

func (w *sweeper) start(ctx context.Context) {
	ctx, w.stop = context.WithCancel(ctx)
	w.done = make(chan struct{})
	go func() {
		defer close(w.done)
		w.s.Run(ctx)
	}()
}

// close stops a pass in progress and waits for it; before the stores close.
func (w *sweeper) close() {
	if w == nil || w.stop == nil {
		return
	}
	w.stop()
	<-w.done
}
