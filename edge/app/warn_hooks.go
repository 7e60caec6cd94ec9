package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/xiuhua/xiuhua/edge/outbox"
	"github.com/xiuhua/xiuhua/edge/warn"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// afterGrace is the second picture: the place looked at again after the
// grace period, with the object still there.
const afterGrace = "after_grace.jpg"

// look is the flow's second look: the AI re-check's few fresh frames of
// the zone. Present keeps the annotated frame as the second picture; a
// camera that gives no frame is an error, so the flow looks again later
// rather than deciding blind.
func (w *warnFirst) look(ctx context.Context, p warn.Pending) (bool, error) {
	res := w.checker.Check(ctx, &xiuhuav1.RecheckRequest{RequestId: "warn-" + p.ID, CameraId: p.Camera,
		ZoneId: p.Zone, ViolationType: p.Type, TimeoutSeconds: 20})
	switch res.Outcome {
	case xiuhuav1.RecheckOutcome_RECHECK_OUTCOME_ABSENT:
		return false, nil
	case xiuhuav1.RecheckOutcome_RECHECK_OUTCOME_PRESENT:
		img := res.Annotated
		if len(img) == 0 {
			img = res.Snapshot
		}
		if err := writeSync(filepath.Join(p.Evidence, afterGrace), img); err != nil {
			return true, err
		}
		return true, nil
	default:
		return false, fmt.Errorf("look again at %s zone %s: %s", p.Camera, p.Zone, res.Detail)
	}
}

// file sends the kept violation as a case, with the warnings, the reason
// and the after-grace picture when there is one.
func (w *warnFirst) file(_ context.Context, v warn.Violation, warned *warn.Pending, reason string) error {
	rep, files, err := loadKept(v.Evidence)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // sent before a crash that kept the pending entry
	}
	if err != nil {
		return err
	}
	rep.WarnReason = reason
	switch {
	case warned == nil && strings.HasPrefix(reason, "quiet hours"):
		rep.WarnOutcome = xiuhuav1.WarnOutcome_WARN_OUTCOME_QUIET_HOURS
	case warned == nil:
		// Filed as under policy file (the warning could not be stored).
	case last(warned.Warnings).Error != "":
		rep.WarnOutcome = xiuhuav1.WarnOutcome_WARN_OUTCOME_WARNING_FAILED
	default:
		rep.WarnOutcome = xiuhuav1.WarnOutcome_WARN_OUTCOME_NOT_CORRECTED
	}
	if warned != nil {
		rep.Warnings = played(warned.Warnings)
	}
	if img, err := os.ReadFile(filepath.Join(v.Evidence, afterGrace)); err == nil {
		files = append(files, outbox.File{Name: afterGrace, Kind: xiuhuav1.EvidenceKind_EVIDENCE_KIND_AFTER_GRACE,
			ContentType: "image/jpeg", Data: img})
	}
	return w.send(v.Evidence, rep, files)
}

// corrected sends the "corrected after warning" record: the report with
// its first pictures, marked so the server counts it and opens no case.
func (w *warnFirst) corrected(_ context.Context, p warn.Pending) error {
	rep, files, err := loadKept(p.Evidence)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // sent before a crash that kept the pending entry
	}
	if err != nil {
		return err
	}
	rep.WarnOutcome = xiuhuav1.WarnOutcome_WARN_OUTCOME_CORRECTED
	rep.WarnReason = "gone after warning (自治)"
	rep.Warnings = played(p.Warnings)
	return w.send(p.Evidence, rep, files)
}

// send puts the report in the outbox, then forgets the kept folder. A
// duplicate is a retry after a crash between the two: already sent.
func (w *warnFirst) send(dir string, rep *xiuhuav1.ViolationReport, files []outbox.File) error {
	if err := w.ob.Put(rep, files); err != nil && !errors.Is(err, outbox.ErrDuplicate) {
		return err
	}
	w.log.Info("warn first: handed on", "event", rep.EventId, "outcome", rep.WarnOutcome.String(),
		"warnings", len(rep.Warnings), "files", len(files))
	if err := os.RemoveAll(dir); err != nil {
		w.log.Warn("warn first: remove kept violation", "dir", dir, "err", err)
	}
	return nil
}

func played(ws []warn.Played) []*xiuhuav1.WarningPlayed {
	out := make([]*xiuhuav1.WarningPlayed, len(ws))
	for i, p := range ws {
		out[i] = &xiuhuav1.WarningPlayed{At: timestamppb.New(p.At), Player: p.Player, Ok: p.Error == "", Error: p.Error}
	}
	return out
}

func last(ws []warn.Played) warn.Played {
	if len(ws) == 0 {
		return warn.Played{}
	}
	return ws[len(ws)-1]
}
