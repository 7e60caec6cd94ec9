// Package retention is the blob sweeper: it removes the files of finished
// cases that the retention rules say are old enough (clips of rejected
// cases after 30 days, say), and blobs that nothing refers to (evidence of
// reports that were refused after their files were stored) once they are
// older than a grace age, so that an upload in flight is never taken.
//
// Evidence rows are never deleted, only marked purged; the audit trail is
// never touched. Every replica may run a sweeper: each step is idempotent.
package retention

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/xiuhua/xiuhua/server/blob"
	"github.com/xiuhua/xiuhua/server/store"
)

// Rule removes the files of one evidence kind from cases whose status has
// been Outcome (rejected, closed) for longer than After.
type Rule struct {
	Kind    string
	Outcome string
	After   time.Duration
}

// Options configure a Sweeper. Store and Blobs are required.
type Options struct {
	Store store.Retention
	Blobs blob.Store
	Rules []Rule
	// Interval is the time between passes; default 1h.
	Interval time.Duration
	// OrphanGrace is how old an unreferenced blob must be to go; default
	// 24h.
	OrphanGrace time.Duration
	Metrics     *Metrics     // default: unregistered metrics
	Log         *slog.Logger // default: slog.Default()
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// batch is how many evidence rows one purge statement marks.
const batch = 500

// Sweeper applies retention.
type Sweeper struct {
	opts Options
	m    *Metrics
	log  *slog.Logger
}

// New returns a Sweeper.
func New(opts Options) *Sweeper {
	if opts.Interval <= 0 {
		opts.Interval = time.Hour
	}
	if opts.OrphanGrace <= 0 {
		opts.OrphanGrace = 24 * time.Hour
	}
	if opts.Metrics == nil {
		opts.Metrics = NewMetrics(nil)
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Sweeper{opts: opts, m: opts.Metrics, log: opts.Log.With("component", "retention")}
}

// Run sweeps every Interval until ctx ends; the first pass comes after a
// minute, so that a start is not slowed by it.
func (s *Sweeper) Run(ctx context.Context) {
	t := time.NewTimer(min(time.Minute, s.opts.Interval))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("retention sweep", "err", err)
		}
		t.Reset(s.opts.Interval)
	}
}

// Sweep makes one pass: the rules first, then the orphans.
func (s *Sweeper) Sweep(ctx context.Context) error {
	var errs []error
	for _, r := range s.opts.Rules {
		if err := s.applyRule(ctx, r); err != nil {
			errs = append(errs, err)
		}
	}
	if err := s.sweepOrphans(ctx); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func (s *Sweeper) applyRule(ctx context.Context, r Rule) error {
	before := s.opts.Now().Add(-r.After)
	for {
		shas, err := s.opts.Store.PurgeEvidence(ctx, r.Kind, r.Outcome, before, batch)
		if err != nil {
			return err
		}
		for _, sha := range shas {
			// A row marked purged whose blob fails to go here is an
			// orphan now, and the orphan pass removes it later.
			if err := s.remove(ctx, sha, reasonRetention); err != nil {
				s.log.Warn("retention: blob stays for the orphan pass", "sha256", sha, "err", err)
			}
		}
		if len(shas) > 0 {
			s.log.Info("retention applied", "kind", r.Kind, "outcome", r.Outcome, "after", r.After, "files", len(shas))
		}
		if len(shas) < batch {
			return nil
		}
	}
}

// sweepOrphans walks the store, counting what it holds, and removes blobs
// older than the grace age that nothing refers to.
func (s *Sweeper) sweepOrphans(ctx context.Context) error {
	var n, bytes int64
	var removed int
	cutoff := s.opts.Now().Add(-s.opts.OrphanGrace)
	err := s.opts.Blobs.Walk(ctx, func(i blob.Info) error {
		n++
		bytes += i.Size
		if !i.ModTime.Before(cutoff) {
			return nil
		}
		if err := s.remove(ctx, i.SHA256, reasonOrphan); err != nil {
			return err
		}
		removed++
		return nil
	})
	if err != nil {
		return err
	}
	s.m.storedBlobs.Set(float64(n))
	s.m.storedBytes.Set(float64(bytes))
	if removed > 0 {
		s.log.Info("orphan blobs removed", "count", removed, "grace", s.opts.OrphanGrace)
	}
	return nil
}

// remove deletes a blob unless something still refers to it or it was
// committed within the grace age, counting its bytes by reason.
func (s *Sweeper) remove(ctx context.Context, sha, reason string) error {
	ref, err := s.opts.Store.BlobReferenced(ctx, sha)
	if err != nil || ref {
		return err
	}
	info, err := s.opts.Blobs.Stat(ctx, sha)
	if errors.Is(err, blob.ErrNotFound) {
		return nil // another replica's sweeper was first
	}
	if err != nil {
		return err
	}
	if !info.ModTime.Before(s.opts.Now().Add(-s.opts.OrphanGrace)) {
		// Committed within the grace age: a report in flight may be about
		// to refer to it. The orphan pass looks again once it is older.
		return nil
	}
	if err := s.opts.Blobs.Delete(ctx, sha); err != nil {
		return err
	}
	s.m.deletedBlobs.WithLabelValues(reason).Inc()
	s.m.deletedBytes.WithLabelValues(reason).Add(float64(info.Size))
	return nil
}
