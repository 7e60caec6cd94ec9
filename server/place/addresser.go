package place

import (
	"context"
	"log/slog"
	"time"
)

// Setter stores an address found after the case was opened
// (sqlstore.Store).
type Setter interface {
	SetCaseAddress(ctx context.Context, id, address string) (found bool, err error)
}

// Addresser gives new cases their addresses: the nearest named feature at
// once (Local, inside the report's transaction: pure and fast), then the
// hook's answer when one is configured (Opened, later, outside it: a slow
// or failing service never holds up filing).
type Addresser struct {
	Streets   *Streets // nil: none
	MaxMetres float64
	Hook      *Hook // nil: none
	Store     Setter
	Log       *slog.Logger

	jobs chan job
}

type job struct {
	id       string
	lat, lon float64
}

// queueLen bounds the cases waiting for the hook; beyond it they keep
// their nearest-street address and a warning is logged.
const queueLen = 1024

// Start runs the hook's worker until ctx ends; without a hook it does
// nothing.
func (a *Addresser) Start(ctx context.Context) {
	if a.Hook == nil {
		return
	}
	if a.Log == nil {
		a.Log = slog.Default()
	}
	a.jobs = make(chan job, queueLen)
	go a.run(ctx)
}

// Local is the nearest named feature's description, or "".
func (a *Addresser) Local(lat, lon float64) string {
	if a == nil || a.Streets == nil {
		return ""
	}
	name, d, ok := a.Streets.Nearest(lat, lon, a.MaxMetres)
	if !ok {
		return ""
	}
	return Describe(name, d)
}

// Opened queues a new case for the hook; it never blocks.
func (a *Addresser) Opened(id string, lat, lon float64) {
	if a == nil || a.jobs == nil {
		return
	}
	select {
	case a.jobs <- job{id, lat, lon}:
	default:
		a.Log.Warn("address hook: queue full, case keeps its nearest-street address", "case_id", id)
	}
}

func (a *Addresser) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case j := <-a.jobs:
			a.lookup(ctx, j)
		}
	}
}

// lookup asks the hook and stores its answer. Opened runs inside the
// transaction that opens the case, so the case may not be visible yet:
// a miss is retried a few times before the answer is dropped (the case
// was then rolled back).
func (a *Addresser) lookup(ctx context.Context, j job) {
	addr, err := a.Hook.Lookup(ctx, j.lat, j.lon)
	if err != nil {
		a.Log.Warn("address hook failed; the case keeps its nearest-street address", "case_id", j.id, "err", err)
		return
	}
	for try := 0; try < 5; try++ {
		found, err := a.Store.SetCaseAddress(ctx, j.id, addr)
		if err != nil {
			a.Log.Error("store the address hook's answer", "case_id", j.id, "err", err)
			return
		}
		if found {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(200 * time.Millisecond << try):
		}
	}
	a.Log.Warn("address hook: case not found to store its address", "case_id", j.id)
}
