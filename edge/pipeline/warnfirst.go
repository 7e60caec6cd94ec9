package pipeline

import (
	"time"

	"github.com/xiuhua/xiuhua/edge/outbox"
	"github.com/xiuhua/xiuhua/edge/rules"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// WarnFirst takes the violations of warn-first rules (先劝导、后立案) instead
// of the outbox: it keeps the report and its evidence, plays a warning on
// site and files a case only if the violation is still there after the
// grace period (edge/warn, wired in edge/app).
type WarnFirst interface {
	// Takes says whether v's rule is warn first on this camera.
	Takes(v rules.Violation) bool
	// Raise keeps the violation and starts its warning; it must not wait
	// for a speaker, since the camera loop calls it.
	Raise(report *xiuhuav1.ViolationReport, files []outbox.File) error
}

// warnFirst hands v to the warn-first flow when its rule says so, and
// reports whether it did. A violation the flow cannot keep goes to the
// outbox as a case at once: never dropped.
func (c *Camera) warnFirst(at time.Time, rep *xiuhuav1.ViolationReport, files []outbox.File, v rules.Violation) bool {
	if c.Warn == nil || !c.Warn.Takes(v) {
		return false
	}
	hand := func(files []outbox.File) {
		if err := c.Warn.Raise(rep, files); err != nil {
			c.Log.Error("warn first: cannot keep violation; filing it now", "event", rep.EventId, "err", err)
			c.store(rep, files, v)
			return
		}
		c.Log.Info("violation handed to warn first", "event", rep.EventId, "type", v.Rule.Type,
			"zone", v.Zone.ID, "finding", v.Object.Kind, "track", v.Object.TrackID, "files", len(files))
	}
	if c.Clips == nil || c.clipCtx == nil {
		hand(files)
		return true
	}
	// The clip needs its post-roll; the flow takes the violation with it.
	c.pendingPuts.Go(func() {
		if clip, ok := c.cutClip(at, rep.EventId); ok {
			files = append(files, clip)
		}
		hand(files)
	})
	return true
}
