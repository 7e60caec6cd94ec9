package warn

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/xiuhua/xiuhua/edge/config"
	"github.com/xiuhua/xiuhua/edge/rules"
)

// Outcomes a Pending ends with.
const (
	OutcomeFile      = "file"
	OutcomeCorrected = "corrected"
)

// Violation is what the flow needs of a raised violation.
type Violation struct {
	ID, Camera, Zone, Rule, Type string
	At                           time.Time
	Evidence                     string // where the first look's evidence is kept
}

// Hooks are how the flow reaches the rest of the edge. An error from any
// of them leaves the entry stored and retried after RetryAfter: a
// violation is never dropped.
type Hooks struct {
	// Look looks at the violation's place again and reports whether it is
	// still there.
	Look func(ctx context.Context, p Pending) (present bool, err error)
	// File sends the violation as a case. warned is nil when no warning
	// was tried (policy file, quiet hours), else the warnings with their
	// errors (the last one failed: filed at once); reason says why.
	File func(ctx context.Context, v Violation, warned *Pending, reason string) error
	// Corrected records a violation gone after its warning (自治).
	Corrected func(ctx context.Context, p Pending) error
}

// Flow is warn first (先劝导、后立案) for one edge box: Raise takes a
// violation, and Run plays warnings, looks again after grace and hands
// each violation on as a case or as corrected. State lives in a
// PendingStore, so a restart resumes where it stopped.
type Flow struct {
	Policy   func(v Violation) config.Policy
	Player   func(camera string) Player // nil: no speaker, file
	Store    *PendingStore
	Hooks    Hooks
	Location *time.Location // quiet hours are read here; default Local
	// Tick is how often due entries are looked for (default 1 s);
	// RetryAfter is the wait after a failed hook (default 1 min).
	Tick, RetryAfter time.Duration
	Now              func() time.Time // default time.Now
	Metrics          *Metrics
	Logger           *slog.Logger

	mu       sync.Mutex
	inflight map[string]bool
	wake     chan struct{}
	clips    map[string][]int16 // audio files read, by path
}

// Raise takes a violation: filed at once when its policy is file or it is
// quiet hours, otherwise stored to be warned about by Run. It does not
// play anything itself, so the caller (the pipeline) never waits for a
// speaker.
func (f *Flow) Raise(ctx context.Context, v Violation) error {
	pol := f.Policy(v)
	if pol.Mode != config.EnforceWarnFirst {
		f.Metrics.ended(v.Camera, v.Type, "policy_file")
		return f.Hooks.File(ctx, v, nil, "policy: file")
	}
	if f.quiet(pol) {
		f.Metrics.ended(v.Camera, v.Type, "quiet_hours")
		return f.Hooks.File(ctx, v, nil, "quiet hours: no warning played")
	}
	p := Pending{ID: v.ID, Camera: v.Camera, Zone: v.Zone, Rule: v.Rule, Type: v.Type,
		RaisedAt: v.At, LookAt: f.now(), Evidence: v.Evidence}
	if err := f.Store.Put(p); err != nil {
		// Not stored: file now rather than lose it.
		f.logger().Error("warn first: cannot store; filing", "camera", v.Camera, "err", err)
		return f.Hooks.File(ctx, v, nil, "warning not stored: "+err.Error())
	}
	f.signal()
	return nil
}

func (f *Flow) quiet(pol config.Policy) bool {
	now := f.now().In(f.location())
	for _, s := range pol.QuietHours {
		if h, err := rules.ParseHours(s); err == nil && h.Contains(now) {
			return true
		}
	}
	return false
}

// Run handles due entries until ctx is done, starting with what the store
// kept from before a restart.
func (f *Flow) Run(ctx context.Context) error {
	f.init()
	var wg sync.WaitGroup
	defer wg.Wait()
	tick := time.NewTicker(f.tick())
	defer tick.Stop()
	for {
		entries, bad, err := f.Store.Load()
		if err != nil {
			return fmt.Errorf("warn first: %w", err)
		}
		for _, e := range bad {
			f.logger().Error("warn first: damaged entry set aside", "err", e)
		}
		now := f.now()
		for _, p := range entries {
			if p.LookAt.After(now) || !f.claim(p.ID) {
				continue
			}
			wg.Go(func() {
				defer f.release(p.ID)
				f.step(ctx, p)
			})
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		case <-f.wake:
		}
	}
}

// step moves one due entry on: warn, look, or hand on.
func (f *Flow) step(ctx context.Context, p Pending) {
	v := Violation{ID: p.ID, Camera: p.Camera, Zone: p.Zone, Rule: p.Rule, Type: p.Type, At: p.RaisedAt, Evidence: p.Evidence}
	pol := f.Policy(v)
	switch {
	case p.Outcome != "":
		f.handOn(ctx, v, p)
	case len(p.Warnings) == 0:
		f.warn(ctx, v, p, pol)
	default:
		present, err := f.Hooks.Look(ctx, p)
		if err != nil {
			f.retry(p, "look again", err)
			return
		}
		switch {
		case !present:
			p.Outcome = OutcomeCorrected
		case len(p.Warnings) < pol.Warnings && !f.quiet(pol):
			f.warn(ctx, v, p, pol)
			return
		default:
			p.Outcome = OutcomeFile
		}
		if err := f.Store.Put(p); err != nil {
			f.retry(p, "store outcome", err)
			return
		}
		f.handOn(ctx, v, p)
	}
}

// warn plays a warning; a failure files the violation at once.
func (f *Flow) warn(ctx context.Context, v Violation, p Pending, pol config.Policy) {
	var err error
	var player Player
	if f.Player != nil {
		player = f.Player(v.Camera)
	}
	if player == nil {
		err = errors.New("no speaker for this camera")
	} else {
		var pcm []int16
		if pcm, err = f.audio(pol.Audio); err == nil {
			err = player.Play(ctx, Warning{Camera: v.Camera, Type: v.Type, At: v.At, Audio: pcm})
		}
	}
	if ctx.Err() != nil {
		return // shutting down: the entry stays due and is warned after restart
	}
	played := Played{At: f.now(), Player: playerName(player)}
	if err != nil {
		played.Error = err.Error()
	}
	p.Warnings = append(p.Warnings, played)
	p.LookAt = f.now().Add(pol.Grace.D())
	if err != nil {
		f.logger().Warn("warn first: warning not played; filing", "camera", v.Camera, "err", err)
		p.Outcome = OutcomeFile
	}
	if err := f.Store.Put(p); err != nil {
		f.retry(p, "store warning", err)
		return
	}
	if p.Outcome != "" {
		f.handOn(ctx, v, p)
	}
}

// handOn gives a decided entry to File or Corrected, then forgets it.
func (f *Flow) handOn(ctx context.Context, v Violation, p Pending) {
	var err error
	if p.Outcome == OutcomeCorrected {
		err = f.Hooks.Corrected(ctx, p)
	} else {
		err = f.Hooks.File(ctx, v, &p, fileReason(p))
	}
	if err != nil {
		f.retry(p, "hand on", err)
		return
	}
	f.Metrics.ended(v.Camera, v.Type, endLabel(p))
	if err := f.Store.Remove(p.ID); err != nil {
		f.logger().Error("warn first: cannot remove a handed-on entry", "id", p.ID, "err", err)
	}
}

// endLabel is the outcome label of violations_total for a handed-on entry.
func endLabel(p Pending) string {
	switch {
	case p.Outcome == OutcomeCorrected:
		return "corrected"
	case len(p.Warnings) > 0 && p.Warnings[len(p.Warnings)-1].Error != "":
		return "warning_failed"
	default:
		return "filed_after_warning"
	}
}

func fileReason(p Pending) string {
	if n := len(p.Warnings); n > 0 && p.Warnings[n-1].Error != "" {
		return "warning failed: " + p.Warnings[n-1].Error
	}
	return "still there after warning (已劝导未整改)"
}
