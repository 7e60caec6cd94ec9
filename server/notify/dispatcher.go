package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/xiuhua/xiuhua/server/store"
)

// Dispatcher defaults.
const (
	DefaultPoll  = time.Second
	DefaultLease = 5 * time.Minute
	DefaultBatch = 16
	// DefaultKeep is how long delivered items stay in the outbox, for
	// looking into what was sent.
	DefaultKeep = 7 * 24 * time.Hour
	// pruneEvery is how often delivered items are pruned.
	pruneEvery = time.Hour
)

// Dispatcher delivers the outbox to its sinks. Several dispatchers, in one
// process or in replicas sharing a PostgreSQL database, may run at once:
// the store's leases give each item to one of them at a time.
type Dispatcher struct {
	Store store.Outbox
	Sinks []Sink
	// Owner names this dispatcher in leases; hostname and a random
	// suffix when empty.
	Owner string
	// Poll is how often an idle dispatcher looks for due items.
	Poll time.Duration
	// Lease is how long a claimed batch is this dispatcher's. It must
	// exceed the time a batch takes to deliver, or another dispatcher
	// may deliver the same items again (still at least once, but twice).
	Lease   time.Duration
	Batch   int
	Backoff Backoff
	// Keep is how long delivered items are kept; DefaultKeep when zero.
	Keep    time.Duration
	Metrics *Metrics // nil: not counted
	Log     *slog.Logger

	sinks map[string]Sink
	names []string
	// orphans are sinks with pending events that are not configured,
	// warned about once each.
	orphans map[string]bool
}

// Run delivers until ctx ends, then returns nil. Store errors are logged
// and retried after Poll: the database coming back resumes delivery.
func (d *Dispatcher) Run(ctx context.Context) error {
	d.init()
	if len(d.names) == 0 {
		<-ctx.Done()
		return nil
	}
	d.Log.Info("delivering case events", "sinks", d.names, "owner", d.Owner)
	timer := time.NewTimer(0)
	defer timer.Stop()
	var pruned time.Time
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
		}
		n, err := d.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			d.Log.Warn("outbox", "err", err)
		}
		d.updatePending(ctx)
		if time.Since(pruned) > pruneEvery {
			pruned = time.Now()
			if pn, err := d.Store.PruneOutbox(ctx, pruned.Add(-d.Keep)); err != nil {
				d.Log.Warn("outbox: prune", "err", err)
			} else if pn > 0 {
				d.Log.Debug("outbox: pruned delivered events", "count", pn)
			}
		}
		wait := d.Poll
		if n == d.Batch && err == nil {
			wait = 0 // more may be due right now
		}
		timer.Reset(wait)
	}
}

func (d *Dispatcher) init() {
	if d.sinks != nil {
		return
	}
	if d.Poll <= 0 {
		d.Poll = DefaultPoll
	}
	if d.Lease <= 0 {
		d.Lease = DefaultLease
	}
	if d.Batch <= 0 {
		d.Batch = DefaultBatch
	}
	if d.Keep <= 0 {
		d.Keep = DefaultKeep
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	d.Log = d.Log.With("component", "notify")
	if d.Owner == "" {
		host, _ := os.Hostname()
		var b [4]byte
		_, _ = rand.Read(b[:])
		d.Owner = host + "-" + hex.EncodeToString(b[:])
	}
	d.sinks = map[string]Sink{}
	for _, s := range d.Sinks {
		d.sinks[s.Name()] = s
		d.names = append(d.names, s.Name())
	}
}

// RunOnce claims one batch and delivers it, each sink's items in order and
// the sinks side by side. It returns how many items it claimed.
func (d *Dispatcher) RunOnce(ctx context.Context) (int, error) {
	d.init()
	items, err := d.Store.ClaimOutbox(ctx, d.Owner, d.names, time.Now(), d.Lease, d.Batch)
	if err != nil {
		return 0, err
	}
	bySink := map[string][]store.OutboxItem{}
	for _, it := range items {
		bySink[it.Sink] = append(bySink[it.Sink], it)
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for name, its := range bySink {
		wg.Go(func() {
			if err := d.deliver(ctx, d.sinks[name], its); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return len(items), errors.Join(errs...)
}

// deliver sends one sink's items in order. After the first failure the
// rest wait too: the sink is likely down, and hammering it helps nobody.
func (d *Dispatcher) deliver(ctx context.Context, sink Sink, items []store.OutboxItem) error {
	var down error
	for _, it := range items {
		log := d.Log.With("sink", it.Sink, "event_id", it.EventID, "event", it.Kind, "case", it.CaseID, "attempt", it.Attempts)
		err := down
		if err == nil {
			err = sink.Deliver(ctx, Message{ID: it.EventID, Kind: it.Kind, CaseID: it.CaseID, At: it.At, Payload: it.Payload})
		}
		// The outcome is recorded even when ctx just ended: the event
		// was sent or not whatever happens to this process next.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		if err == nil {
			log.Debug("event delivered")
			d.count(func(m *Metrics) { m.Delivered.WithLabelValues(SinkLabel(it.Sink)).Inc() })
			if serr := d.Store.DeliveredOutbox(rctx, it.Seq, d.Owner, time.Now()); serr != nil {
				cancel()
				return serr
			}
			cancel()
			continue
		}
		delay := d.Backoff.Delay(it.Attempts)
		if down == nil {
			// Only a real attempt is counted and logged; the items after
			// it wait without one.
			down = err
			log.Warn("event not delivered; will retry", "err", err, "retry_in", delay.Round(time.Millisecond))
			d.count(func(m *Metrics) { m.Failed.WithLabelValues(SinkLabel(it.Sink)).Inc() })
		}
		serr := d.Store.FailedOutbox(rctx, it.Seq, d.Owner, time.Now().Add(delay), err.Error())
		cancel()
		if serr != nil {
			return serr
		}
	}
	return nil
}

func (d *Dispatcher) count(f func(*Metrics)) {
	if d.Metrics != nil {
		f(d.Metrics)
	}
}

// updatePending sets the pending gauge of every sink with events waiting,
// configured or not, and warns once of events for a sink that is no longer
// configured: nothing will deliver them until it is configured again, and
// an operator who removed a sink by mistake should hear of it.
func (d *Dispatcher) updatePending(ctx context.Context) {
	n, err := d.Store.PendingOutbox(ctx)
	if err != nil {
		return
	}
	for sink, count := range n {
		if slices.Contains(d.names, sink) || count == 0 || d.orphans[sink] {
			continue
		}
		if d.orphans == nil {
			d.orphans = map[string]bool{}
		}
		d.orphans[sink] = true
		d.Log.Warn("case events wait for a sink that is not configured: they are kept, and delivered if it is configured again",
			"sink", sink, "pending", count)
	}
	if d.Metrics == nil {
		return
	}
	for _, name := range d.names {
		d.Metrics.Pending.WithLabelValues(SinkLabel(name)).Set(float64(n[name]))
	}
	for name := range d.orphans {
		d.Metrics.Pending.WithLabelValues(SinkLabel(name)).Set(float64(n[name]))
	}
}
