package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/store"
)

func testOpenWritesAudit(t *testing.T, s store.Store) {
	ctx := context.Background()
	coded := func(ctx context.Context, tx store.CaseTx, r *store.Report) (string, error) {
		return tx.OpenCase(ctx, store.NewCase{Status: "pending_review", ViolationType: r.ViolationType,
			DeviceID: r.DeviceID, CameraID: r.CameraID, CategoryCode: "02", SubcategoryCode: "0201"})
	}
	id, _, err := s.SaveReport(ctx, Report("e1"), coded)
	require.NoError(t, err)
	d, err := s.GetCase(ctx, id)
	require.NoError(t, err)
	require.Equal(t, 1, d.Version)
	require.Equal(t, "02", d.CategoryCode)
	require.Equal(t, "0201", d.SubcategoryCode)
	require.True(t, d.StatusSince.Equal(d.CreatedAt), "status since %v, created %v", d.StatusSince, d.CreatedAt)
	require.Len(t, d.Audit, 1)
	a := d.Audit[0]
	require.Equal(t, id, a.CaseID)
	require.Equal(t, store.SystemActor, a.Actor)
	require.Equal(t, store.ActionOpen, a.Action)
	require.Empty(t, a.From)
	require.Equal(t, "pending_review", a.To)
}

func testTransition(t *testing.T, s store.Store) {
	ctx := context.Background()
	id, _, err := s.SaveReport(ctx, Report("e1"), pending)
	require.NoError(t, err)
	at := t0.Add(time.Hour)
	require.NoError(t, s.Transition(ctx, store.Transition{CaseID: id, Version: 1, From: "pending_review", To: "filed",
		Actor: "li", Role: "reviewer", Action: "file", Comment: "证据清楚 '; DROP TABLE cases; --", At: at}))
	d, err := s.GetCase(ctx, id)
	require.NoError(t, err)
	require.Equal(t, "filed", d.Status)
	require.Equal(t, 2, d.Version)
	require.True(t, d.StatusSince.Equal(at))
	require.Len(t, d.Audit, 2)
	a := d.Audit[1]
	require.Equal(t, store.AuditEntry{ID: a.ID, CaseID: id, At: a.At, Actor: "li", Role: "reviewer", Action: "file",
		From: "pending_review", To: "filed", Comment: "证据清楚 '; DROP TABLE cases; --"}, a)
	require.True(t, a.At.Equal(at))
	require.Greater(t, a.ID, d.Audit[0].ID)

	// A stale version or status is a conflict and changes nothing.
	for _, tr := range []store.Transition{
		{CaseID: id, Version: 1, From: "filed", To: "dispatched", At: at},
		{CaseID: id, Version: 2, From: "pending_review", To: "rejected", At: at},
	} {
		require.ErrorIs(t, s.Transition(ctx, tr), store.ErrConflict)
	}
	require.ErrorIs(t, s.Transition(ctx, store.Transition{CaseID: "01JXXXXXXXXXXXXXXXXXXXXXXX", Version: 1,
		From: "filed", To: "dispatched", At: at}), store.ErrNotFound)
	d, err = s.GetCase(ctx, id)
	require.NoError(t, err)
	require.Equal(t, 2, d.Version)
	require.Len(t, d.Audit, 2)

	page, err := s.ListCases(ctx, store.CaseFilter{Status: "filed", Limit: 10})
	require.NoError(t, err)
	require.Len(t, page.Cases, 1)
	require.Equal(t, 2, page.Cases[0].Version)
}

// testConcurrentTransitions: officers acting on one case at once; exactly
// one wins, the others get a conflict, and the trail has one entry.
func testConcurrentTransitions(t *testing.T, s store.Store) {
	ctx := context.Background()
	id, _, err := s.SaveReport(ctx, Report("e1"), pending)
	require.NoError(t, err)
	const n = 6
	var (
		wg              sync.WaitGroup
		mu              sync.Mutex
		wins, conflicts int
		errs            []error
	)
	for i := range n {
		to := "filed"
		if i%2 == 1 {
			to = "rejected"
		}
		wg.Go(func() {
			err := s.Transition(ctx, store.Transition{CaseID: id, Version: 1, From: "pending_review", To: to,
				Actor: "officer", Role: "reviewer", Action: to, At: time.Now()})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case errors.Is(err, store.ErrConflict):
				conflicts++
			default:
				errs = append(errs, err)
			}
		})
	}
	wg.Wait()
	require.Empty(t, errs)
	require.Equal(t, 1, wins)
	require.Equal(t, n-1, conflicts)
	d, err := s.GetCase(ctx, id)
	require.NoError(t, err)
	require.Equal(t, 2, d.Version)
	require.Len(t, d.Audit, 2)
	require.Equal(t, d.Status, d.Audit[1].To)
}

func testTransitionAttachment(t *testing.T, s store.Store) {
	ctx := context.Background()
	id, _, err := s.SaveReport(ctx, Report("e1"), pending)
	require.NoError(t, err)
	att := &store.Evidence{Kind: store.KindAttachment, ContentType: "image/png", Size: 42, SHA256: sha("photo")}
	require.NoError(t, s.Transition(ctx, store.Transition{CaseID: id, Version: 1, From: "pending_review", To: "filed",
		Actor: "li", Role: "reviewer", Action: "file", At: t0, Attachment: att}))
	d, err := s.GetCase(ctx, id)
	require.NoError(t, err)
	require.Nil(t, d.Audit[0].Attachment)
	require.Equal(t, &store.Evidence{Name: sha("photo"), Kind: store.KindAttachment, ContentType: "image/png", Size: 42, SHA256: sha("photo")},
		d.Audit[1].Attachment)
	e, err := s.GetEvidence(ctx, sha("photo"))
	require.NoError(t, err)
	require.Equal(t, *d.Audit[1].Attachment, *e)
	// A report's own file is still found first.
	e, err = s.GetEvidence(ctx, sha("snap-e1"))
	require.NoError(t, err)
	require.Equal(t, store.KindSnapshot, e.Kind)
}
