package web

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/xiuhua/xiuhua/server/store"
)

// Live-update tuning. The poll reads the database, not this process's own
// calls, so that a change any replica makes reaches every replica's
// browsers. Each poll looks liveOverlap back past the newest change it has
// seen: a transaction that committed late, or a replica whose clock is a
// little behind, is still caught; what was already sent is not sent again.
const (
	livePollInterval = time.Second
	liveOverlap      = 10 * time.Second
	liveBatch        = 200
	// liveBuffer is how many events a slow browser may fall behind before
	// it is dropped (its EventSource reconnects and the page reloads its
	// data).
	liveBuffer = 64
)

// LiveEvent is one case change as the events stream sends it.
type LiveEvent struct {
	// Kind is "created" for a case that is new, "changed" otherwise.
	Kind      string    `json:"kind"`
	ID        string    `json:"id"`
	Status    string    `json:"status"`
	Version   int       `json:"version"`
	Reports   int       `json:"report_count"`
	UpdatedAt time.Time `json:"updated_at"`
}

type liveStore interface {
	CasesChangedSince(ctx context.Context, since time.Time, limit int) ([]store.Case, error)
}

// hub polls the database in one goroutine per process while anyone
// listens, and fans each change out to every subscriber. It starts with
// the first subscriber and stops with the last.
type hub struct {
	st       liveStore
	log      *slog.Logger
	interval time.Duration

	mu     sync.Mutex
	subs   map[chan LiveEvent]struct{}
	stop   context.CancelFunc
	done   chan struct{}
	closed bool
}

func newHub(st liveStore, log *slog.Logger, interval time.Duration) *hub {
	return &hub{st: st, log: log, interval: interval, subs: map[chan LiveEvent]struct{}{}}
}

// subscribe returns a channel of changes and the function that ends the
// subscription. The channel is closed when the subscriber falls too far
// behind or the hub closes; ok is false once the hub is closed.
func (h *hub) subscribe() (ch chan LiveEvent, cancel func(), ok bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, nil, false
	}
	ch = make(chan LiveEvent, liveBuffer)
	h.subs[ch] = struct{}{}
	if h.stop == nil {
		ctx, stop := context.WithCancel(context.Background())
		h.stop, h.done = stop, make(chan struct{})
		go h.run(ctx, h.done)
	}
	return ch, func() { h.unsubscribe(ch) }, true
}

func (h *hub) unsubscribe(ch chan LiveEvent) {
	h.mu.Lock()
	var done chan struct{}
	if _, ok := h.subs[ch]; ok {
		delete(h.subs, ch)
		close(ch)
		if len(h.subs) == 0 && h.stop != nil {
			h.stop()
			done = h.done
			h.stop, h.done = nil, nil
		}
	}
	h.mu.Unlock()
	if done != nil {
		<-done
	}
}

// close ends every subscription and the poller; the server is stopping.
func (h *hub) close() {
	h.mu.Lock()
	h.closed = true
	for ch := range h.subs {
		delete(h.subs, ch)
		close(ch)
	}
	stop, done := h.stop, h.done
	h.stop, h.done = nil, nil
	h.mu.Unlock()
	if stop != nil {
		stop()
		<-done
	}
}

func (h *hub) publish(ev LiveEvent) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		select {
		case ch <- ev:
		default:
			h.log.Warn("live update subscriber too slow; dropping it")
			delete(h.subs, ch)
			close(ch)
		}
	}
}

// run polls until ctx ends. The first poll only learns what exists.
func (h *hub) run(ctx context.Context, done chan struct{}) {
	defer close(done)
	p := &poller{st: h.st, seen: map[liveKey]time.Time{}, since: time.Now()}
	if _, err := p.poll(ctx); err != nil && ctx.Err() == nil {
		h.log.Warn("live updates: poll", "err", err)
	}
	t := time.NewTicker(h.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		evs, err := p.poll(ctx)
		if err != nil {
			if ctx.Err() == nil {
				h.log.Warn("live updates: poll", "err", err)
			}
			continue
		}
		for _, ev := range evs {
			h.publish(ev)
		}
	}
}

// liveKey is one state of a case: a transition bumps the version, a
// merged report the count.
type liveKey struct {
	id      string
	version int
	reports int
}

// poller remembers what it has sent for liveOverlap past the newest
// change, and reads from there.
type poller struct {
	st    liveStore
	since time.Time // the newest change seen
	seen  map[liveKey]time.Time
}

func (p *poller) poll(ctx context.Context) ([]LiveEvent, error) {
	from := p.since.Add(-liveOverlap)
	var out []LiveEvent
	for {
		cs, err := p.st.CasesChangedSince(ctx, from, liveBatch)
		if err != nil {
			return out, err
		}
		for _, c := range cs {
			k := liveKey{c.ID, c.Version, c.ReportCount}
			if _, ok := p.seen[k]; !ok {
				p.seen[k] = c.UpdatedAt
				kind := "changed"
				if c.Version == 1 && c.ReportCount <= 1 {
					kind = "created"
				}
				out = append(out, LiveEvent{Kind: kind, ID: c.ID, Status: c.Status, Version: c.Version, Reports: c.ReportCount, UpdatedAt: c.UpdatedAt})
			}
			if c.UpdatedAt.After(p.since) {
				p.since = c.UpdatedAt
			}
		}
		// A full batch may hide more: read on from its last change,
		// unless the whole batch shares one time (then the next tick
		// goes on, overlap and all).
		if len(cs) < liveBatch || !cs[len(cs)-1].UpdatedAt.After(from) {
			break
		}
		from = cs[len(cs)-1].UpdatedAt
	}
	cut := p.since.Add(-2 * liveOverlap)
	for k, at := range p.seen {
		if at.Before(cut) {
			delete(p.seen, k)
		}
	}
	return out, nil
}
