package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/store"
)

var reported = openCase("reported")

// newRecheck asks a re-check of case id at version 1, due an hour after t0.
func newRecheck(id, caseID string) store.NewRecheck {
	return store.NewRecheck{ID: id, CaseID: caseID, CaseVersion: 1, DeviceID: "edge-01", CameraID: "cam-7",
		ZoneID: "zone-a", ViolationType: "street_vending",
		Box:        &store.Detection{ClassName: "umbrella", X: 10, Y: 20, Width: 30, Height: 40},
		FrameWidth: 1920, FrameHeight: 1080, CreatedAt: t0, Deadline: t0.Add(time.Hour)}
}

// testRecheckLifecycle: one re-check per case version; sent to its device
// only, and again only after notSince; finished once, with the case's
// transition and its attachment, and never again.
func testRecheckLifecycle(t *testing.T, s store.Store) {
	ctx := context.Background()
	caseID, _, err := s.SaveReport(ctx, Report("e1"), reported)
	require.NoError(t, err)
	_, _, err = s.SaveReport(ctx, Report("e2"), pending)
	require.NoError(t, err)
	todo, err := s.CasesToRecheck(ctx, "reported", 10)
	require.NoError(t, err)
	require.Equal(t, []store.CaseVersion{{CaseID: caseID, Version: 1}}, todo)
	created, err := s.CreateRecheck(ctx, newRecheck("rc1", caseID))
	require.NoError(t, err)
	require.True(t, created)
	created, err = s.CreateRecheck(ctx, newRecheck("rc2", caseID))
	require.NoError(t, err)
	require.False(t, created, "a second re-check of the same case version")
	todo, err = s.CasesToRecheck(ctx, "reported", 10)
	require.NoError(t, err)
	require.Empty(t, todo, "the case's version has its re-check")
	_, err = s.GetRecheck(ctx, "rc2")
	require.ErrorIs(t, err, store.ErrNotFound)

	r, err := s.GetRecheck(ctx, "rc1")
	require.NoError(t, err)
	want := newRecheck("rc1", caseID)
	require.Equal(t, want, r.NewRecheck)
	require.Equal(t, store.RecheckPending, r.State)
	require.Zero(t, r.Attempts)

	now := t0.Add(time.Minute)
	sent, err := s.SendRechecks(ctx, "edge-02", now, now.Add(-30*time.Second))
	require.NoError(t, err)
	require.Empty(t, sent, "another device's re-check")
	sent, err = s.SendRechecks(ctx, "edge-01", now, now.Add(-30*time.Second))
	require.NoError(t, err)
	require.Len(t, sent, 1)
	require.Equal(t, 1, sent[0].Attempts)
	require.True(t, sent[0].SentAt.Equal(now))
	sent, err = s.SendRechecks(ctx, "edge-01", now.Add(10*time.Second), now.Add(-20*time.Second))
	require.NoError(t, err)
	require.Empty(t, sent, "sent 10s ago: not again before 30s")
	later := now.Add(31 * time.Second)
	sent, err = s.SendRechecks(ctx, "edge-01", later, later.Add(-30*time.Second))
	require.NoError(t, err)
	require.Len(t, sent, 1)
	require.Equal(t, 2, sent[0].Attempts)

	att := &store.Evidence{Kind: store.KindAttachment, ContentType: "image/jpeg", Size: 99, SHA256: sha("fresh")}
	at := t0.Add(2 * time.Minute)
	fin := store.RecheckFinish{ID: "rc1", Outcome: "absent", Detail: "no umbrella in zone-a", At: at,
		Transition: &store.Transition{CaseID: caseID, Version: 1, From: "reported", To: "verified",
			Actor: "ai-recheck", Role: "system", Action: "verify", Comment: "AI re-check: absent", At: at, Attachment: att}}
	require.NoError(t, s.FinishRecheck(ctx, fin))
	require.ErrorIs(t, s.FinishRecheck(ctx, fin), store.ErrRecheckDone)
	require.ErrorIs(t, s.FinishRecheck(ctx, store.RecheckFinish{ID: "nope", At: at}), store.ErrNotFound)

	d, err := s.GetCase(ctx, caseID)
	require.NoError(t, err)
	require.Equal(t, "verified", d.Status)
	require.Equal(t, 2, d.Version)
	require.Len(t, d.Audit, 2, "the repeated answer wrote nothing")
	a := d.Audit[1]
	require.Equal(t, "ai-recheck", a.Actor)
	require.Equal(t, "verify", a.Action)
	require.Equal(t, "AI re-check: absent", a.Comment)
	require.NotNil(t, a.Attachment)
	require.Equal(t, sha("fresh"), a.Attachment.SHA256)

	r, err = s.GetRecheck(ctx, "rc1")
	require.NoError(t, err)
	require.Equal(t, store.RecheckDone, r.State)
	require.Equal(t, "absent", r.Outcome)
	require.Equal(t, "no umbrella in zone-a", r.Detail)
	require.True(t, r.DoneAt.Equal(at))
	sent, err = s.SendRechecks(ctx, "edge-01", at.Add(time.Hour), at.Add(time.Hour))
	require.NoError(t, err)
	require.Empty(t, sent, "a finished re-check is not sent")
	all, err := s.CaseRechecks(ctx, caseID)
	require.NoError(t, err)
	require.Len(t, all, 1)
}

// testRecheckConflictAndNote: a transition on a case that moved on changes
// nothing, the re-check included; a note leaves the case's status and
// version alone; a re-check past its deadline is expired, not sent.
func testRecheckConflictAndNote(t *testing.T, s store.Store) {
	ctx := context.Background()
	caseID, _, err := s.SaveReport(ctx, Report("e1"), reported)
	require.NoError(t, err)
	_, err = s.CreateRecheck(ctx, newRecheck("rc1", caseID))
	require.NoError(t, err)
	// An officer verified the case by hand meanwhile.
	require.NoError(t, s.Transition(ctx, store.Transition{CaseID: caseID, Version: 1, From: "reported", To: "verified",
		Actor: "li", Role: "reviewer", Action: "verify", At: t0}))
	err = s.FinishRecheck(ctx, store.RecheckFinish{ID: "rc1", Outcome: "present", At: t0,
		Transition: &store.Transition{CaseID: caseID, Version: 1, From: "reported", To: "handling",
			Actor: "ai-recheck", Action: "fail_verification", At: t0}})
	require.ErrorIs(t, err, store.ErrConflict)
	r, err := s.GetRecheck(ctx, "rc1")
	require.NoError(t, err)
	require.Equal(t, store.RecheckPending, r.State, "the conflict rolled the finish back")

	expired, err := s.ExpiredRechecks(ctx, t0.Add(59*time.Minute), 10)
	require.NoError(t, err)
	require.Empty(t, expired)
	expired, err = s.ExpiredRechecks(ctx, t0.Add(time.Hour), 10)
	require.NoError(t, err)
	require.Len(t, expired, 1)
	sent, err := s.SendRechecks(ctx, "edge-01", t0.Add(time.Hour), t0.Add(time.Hour))
	require.NoError(t, err)
	require.Empty(t, sent, "past its deadline")

	at := t0.Add(time.Hour)
	require.NoError(t, s.FinishRecheck(ctx, store.RecheckFinish{ID: "rc1", Outcome: "timeout", Detail: "no answer", At: at,
		Note: &store.AuditEntry{CaseID: caseID, At: at, Actor: "ai-recheck", Role: "system", Action: "ai_recheck",
			From: "verified", To: "verified", Comment: "AI re-check: no answer"}}))
	d, err := s.GetCase(ctx, caseID)
	require.NoError(t, err)
	require.Equal(t, "verified", d.Status)
	require.Equal(t, 2, d.Version, "a note does not change the version officers act on")
	require.Len(t, d.Audit, 3)
	require.Equal(t, "AI re-check: no answer", d.Audit[2].Comment)
	require.Equal(t, "verified", d.Audit[2].From)
	expired, err = s.ExpiredRechecks(ctx, at.Add(time.Hour), 10)
	require.NoError(t, err)
	require.Empty(t, expired)
}

// testRecheckConcurrentFinish: answers racing (two replicas, a repeated
// answer) apply once.
func testRecheckConcurrentFinish(t *testing.T, s store.Store) {
	ctx := context.Background()
	caseID, _, err := s.SaveReport(ctx, Report("e1"), reported)
	require.NoError(t, err)
	_, err = s.CreateRecheck(ctx, newRecheck("rc1", caseID))
	require.NoError(t, err)
	const n = 8
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		wins int
		errs []error
	)
	for i := range n {
		wg.Go(func() {
			err := s.FinishRecheck(ctx, store.RecheckFinish{ID: "rc1", Outcome: "absent", At: t0,
				Transition: &store.Transition{CaseID: caseID, Version: 1, From: "reported", To: "verified",
					Actor: "ai-recheck", Action: "verify", Comment: fmt.Sprint("answer ", i), At: t0}})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case !errors.Is(err, store.ErrRecheckDone):
				errs = append(errs, err)
			}
		})
	}
	wg.Wait()
	require.Empty(t, errs)
	require.Equal(t, 1, wins)
	d, err := s.GetCase(ctx, caseID)
	require.NoError(t, err)
	require.Len(t, d.Audit, 2)
	require.Equal(t, 2, d.Version)
}
