package pipeline

import (
	"context"
	"time"

	"github.com/xiuhua/xiuhua/edge/outbox"
	"github.com/xiuhua/xiuhua/edge/rules"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// HeldSink stores a violation before all its evidence exists (the outbox):
// PutHeld writes it at once but keeps it from being sent until Attach adds
// the missing file or Release gives up on it.
type HeldSink interface {
	PutHeld(report *xiuhuav1.ViolationReport, files []outbox.File) error
	Attach(eventID string, f outbox.File) error
	Release(eventID string) error
}

// store puts the violation in the outbox.
func (c *Camera) store(rep *xiuhuav1.ViolationReport, files []outbox.File, v rules.Violation) {
	if err := c.Sink.Put(rep, files); err != nil {
		c.storeFailed(rep, err)
		return
	}
	c.stored(rep, len(files), v)
}

// storeThenClip stores a violation whose clip needs the post-roll, seconds
// that have not happened yet. With a HeldSink the violation is on disk at
// once, held, and the clip is attached when it is cut, so a crash in those
// seconds loses only the clip; the camera loop goes on meanwhile.
func (c *Camera) storeThenClip(at time.Time, rep *xiuhuav1.ViolationReport, files []outbox.File, v rules.Violation) {
	held, ok := c.Sink.(HeldSink)
	if !ok {
		c.pendingPuts.Go(func() {
			if clip, ok := c.cutClip(at, rep.EventId); ok {
				files = append(files, clip)
			}
			c.store(rep, files, v)
		})
		return
	}
	if err := held.PutHeld(rep, files); err != nil {
		c.storeFailed(rep, err)
		return
	}
	c.stored(rep, len(files), v)
	c.pendingPuts.Go(func() {
		clip, ok := c.cutClip(at, rep.EventId)
		if !ok {
			if err := held.Release(rep.EventId); err != nil {
				c.Log.Error("release violation without its clip", "event", rep.EventId, "err", err)
			}
			return
		}
		if err := held.Attach(rep.EventId, clip); err != nil {
			// The violation is stored; only its clip is lost.
			c.Log.Error("attach clip to violation", "event", rep.EventId, "err", err)
		}
	})
}

// cutClip waits for the post-roll (or Run's end) and returns the clip.
func (c *Camera) cutClip(at time.Time, event string) (outbox.File, bool) {
	ctx, cancel := context.WithTimeout(c.clipCtx, c.ClipPost+10*time.Second)
	defer cancel()
	data, err := c.Clips.Clip(ctx, at, c.ClipPre, c.ClipPost)
	if err != nil || len(data) == 0 {
		c.Log.Warn("no clip for violation", "event", event, "err", err)
		return outbox.File{}, false
	}
	return outbox.File{Name: "clip.mp4", Kind: xiuhuav1.EvidenceKind_EVIDENCE_KIND_CLIP, ContentType: "video/mp4", Data: data}, true
}

func (c *Camera) storeFailed(rep *xiuhuav1.ViolationReport, err error) {
	// The outbox is the durability promise; failing to write it is the
	// one loss the box cannot hide, so it is an error, loudly.
	c.Metrics.violationErrors.WithLabelValues(c.Source.CameraID).Inc()
	c.Log.Error("store violation in outbox", "event", rep.EventId, "err", err)
}

func (c *Camera) stored(rep *xiuhuav1.ViolationReport, files int, v rules.Violation) {
	c.Metrics.violations.WithLabelValues(c.Source.CameraID, v.Rule.Type).Inc()
	c.Log.Info("violation", "event", rep.EventId, "type", v.Rule.Type, "zone", v.Zone.ID,
		"finding", v.Object.Kind, "track", v.Object.TrackID, "dwell", v.Dwell().Round(time.Second), "files", files)
}
