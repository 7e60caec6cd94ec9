package recheck

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"unicode/utf8"

	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
	"github.com/xiuhua/xiuhua/server/blob"
	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/store"
)

// maxDetail bounds the edge's words kept in the trail, in bytes.
const maxDetail = 500

// Handle implements ingest.Control: it applies a device's RecheckResult
// and ignores every other kind. An answer that cannot be applied (unknown,
// another device's, repeated, late, malformed) is logged and counted, not
// an error: the stream goes on.
func (s *Service) Handle(ctx context.Context, deviceID string, m *xiuhuav1.EdgeMessage) error {
	res := m.GetRecheckResult()
	if res == nil {
		return nil
	}
	return s.apply(ctx, deviceID, res)
}

func (s *Service) apply(ctx context.Context, deviceID string, res *xiuhuav1.RecheckResult) error {
	log := s.log.With("recheck", res.GetRequestId(), "device_id", deviceID)
	r, err := s.opts.Store.GetRecheck(ctx, res.GetRequestId())
	if errors.Is(err, store.ErrNotFound) || (err == nil && r.DeviceID != deviceID) {
		s.m.ignored.WithLabelValues(ignoredUnknown).Inc()
		log.Warn("re-check answer ignored: no such re-check for this device")
		return nil
	}
	if err != nil {
		return err
	}
	log = log.With("case", r.CaseID)
	if r.State != store.RecheckPending {
		s.m.ignored.WithLabelValues(ignoredRepeated).Inc()
		log.Info("re-check answer ignored: repeated or late", "finished_as", r.Outcome)
		return nil
	}
	var outcome string
	switch res.GetOutcome() {
	case xiuhuav1.RecheckOutcome_RECHECK_OUTCOME_ABSENT:
		outcome = OutcomeAbsent
	case xiuhuav1.RecheckOutcome_RECHECK_OUTCOME_PRESENT:
		outcome = OutcomePresent
	case xiuhuav1.RecheckOutcome_RECHECK_OUTCOME_UNAVAILABLE:
		outcome = OutcomeUnavailable
	default:
		// Sent again after Resend, or left to a human at the timeout.
		s.m.ignored.WithLabelValues(ignoredInvalid).Inc()
		log.Warn("re-check answer ignored: no outcome", "outcome", res.GetOutcome().String())
		return nil
	}
	detail := cleanDetail(res.GetDetail())
	att := s.storePicture(ctx, log, res)

	// At most twice: a case that moves on between the read and the
	// conditional update is read again and the answer noted instead.
	for range 2 {
		d, ok, err := s.current(ctx, *r)
		if err != nil {
			return err
		}
		f := store.RecheckFinish{ID: r.ID, Outcome: outcome, Detail: detail, At: s.opts.Now()}
		note := &store.AuditEntry{CaseID: r.CaseID, At: f.At, Actor: Actor, Role: Role, Action: ActionNote,
			From: d.Status, To: d.Status, Attachment: att}
		switch {
		case !ok:
			f.Outcome = OutcomeSuperseded
			note.Comment = comment(outcome, detail) + fmt.Sprintf("; not applied: the case had moved to %s", d.Status)
			f.Note = note
		case outcome == OutcomeUnavailable:
			note.Comment = comment(outcome, detail) + "; waiting for a reviewer"
			f.Note = note
		default:
			to := cases.StatusVerified
			if outcome == OutcomePresent {
				to = cases.StatusHandling
			}
			step, _ := cases.FindStep(cases.StatusReported, to)
			t := store.Transition{CaseID: r.CaseID, Version: r.CaseVersion, From: cases.StatusReported, To: to,
				Actor: Actor, Role: Role, Action: step.Action, Comment: comment(outcome, detail), At: f.At, Attachment: att}
			if t.Events, err = cases.TransitionEvents(s.opts.Events, &d.Case, t); err != nil {
				return err
			}
			f.Transition = &t
		}
		err = s.opts.Store.FinishRecheck(ctx, f)
		switch {
		case errors.Is(err, store.ErrConflict):
			continue
		case errors.Is(err, store.ErrRecheckDone):
			s.m.ignored.WithLabelValues(ignoredRepeated).Inc()
			log.Info("re-check answer ignored: another answer or the timeout came first")
			return nil
		case err != nil:
			return err
		}
		s.m.outcomes.WithLabelValues(f.Outcome).Inc()
		log.Info("re-check applied", "outcome", outcome, "finished_as", f.Outcome, "detail", detail,
			"moved", f.Transition != nil, "attachment", att != nil)
		return nil
	}
	return fmt.Errorf("re-check %s: case %s keeps changing under it", r.ID, r.CaseID)
}

// storePicture keeps the answer's annotated picture (the raw one when
// there is none) in the blob store as the trail entry's attachment. A
// picture that is missing, too large or not a JPEG is left out and the
// answer applied without it.
func (s *Service) storePicture(ctx context.Context, log *slog.Logger, res *xiuhuav1.RecheckResult) *store.Evidence {
	pic := res.GetAnnotated()
	if len(pic) == 0 {
		pic = res.GetSnapshot()
	}
	switch {
	case len(pic) == 0:
		return nil
	case int64(len(pic)) > s.opts.MaxSnapshotBytes:
		s.m.ignored.WithLabelValues(ignoredInvalid).Inc()
		log.Warn("re-check picture left out: too large", "bytes", len(pic), "max", s.opts.MaxSnapshotBytes)
		return nil
	case !bytes.HasPrefix(pic, []byte{0xff, 0xd8, 0xff}):
		s.m.ignored.WithLabelValues(ignoredInvalid).Inc()
		log.Warn("re-check picture left out: not a JPEG")
		return nil
	}
	ref, err := blob.Put(ctx, s.opts.Blobs, bytes.NewReader(pic))
	if err != nil {
		log.Error("re-check picture left out: blob store", "err", err)
		return nil
	}
	return &store.Evidence{Name: "recheck.jpg", Kind: store.KindAttachment, ContentType: "image/jpeg", Size: ref.Size, SHA256: ref.SHA256}
}

// cleanDetail keeps the edge's words printable, valid UTF-8 and short.
func cleanDetail(s string) string {
	s = strings.ToValidUTF8(s, "?")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if len(s) > maxDetail {
		cut := maxDetail
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return strings.TrimSpace(s)
}
