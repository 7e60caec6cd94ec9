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

// withEvent opens a case and writes an outbox event for sinks in the
// report's transaction.
func withEvent(sinks ...string) store.Assigner {
	return func(ctx context.Context, tx store.CaseTx, r *store.Report) (string, error) {
		id, err := pending(ctx, tx, r)
		if err != nil {
			return "", err
		}
		return id, tx.Enqueue(ctx, store.OutboxEvent{ID: "ev-" + r.EventID, Kind: "created", CaseID: id,
			At: time.Now(), Payload: []byte(`{"id":"ev-` + r.EventID + `"}`), Sinks: sinks})
	}
}

func testOutboxClaimDeliverRetry(t *testing.T, s store.Store) {
	ctx := context.Background()
	caseID, _, err := s.SaveReport(ctx, Report("e1"), withEvent("a", "b"))
	require.NoError(t, err)
	pend, err := s.PendingOutbox(ctx)
	require.NoError(t, err)
	require.Equal(t, map[string]int{"a": 1, "b": 1}, pend)

	now := time.Now().Add(time.Second)
	items, err := s.ClaimOutbox(ctx, "one", []string{"a"}, now, time.Minute, 10)
	require.NoError(t, err)
	require.Len(t, items, 1)
	it := items[0]
	require.Equal(t, "ev-e1", it.EventID)
	require.Equal(t, "a", it.Sink)
	require.Equal(t, "created", it.Kind)
	require.Equal(t, caseID, it.CaseID)
	require.JSONEq(t, `{"id":"ev-e1"}`, string(it.Payload))
	require.Equal(t, 1, it.Attempts)

	// Leased: nobody else gets it until the lease ends.
	again, err := s.ClaimOutbox(ctx, "two", []string{"a"}, now, time.Minute, 10)
	require.NoError(t, err)
	require.Empty(t, again)

	// A failure makes it due again at the given time, not before.
	require.NoError(t, s.FailedOutbox(ctx, it.Seq, "one", now.Add(time.Hour), "503"))
	again, err = s.ClaimOutbox(ctx, "two", []string{"a"}, now, time.Minute, 10)
	require.NoError(t, err)
	require.Empty(t, again)
	again, err = s.ClaimOutbox(ctx, "two", []string{"a"}, now.Add(time.Hour), time.Minute, 10)
	require.NoError(t, err)
	require.Len(t, again, 1)
	require.Equal(t, 2, again[0].Attempts)

	// A lease that runs out (its dispatcher died) frees the item.
	later := now.Add(time.Hour + 2*time.Minute)
	again, err = s.ClaimOutbox(ctx, "three", []string{"a"}, later, time.Minute, 10)
	require.NoError(t, err)
	require.Len(t, again, 1)
	require.Equal(t, 3, again[0].Attempts)

	require.NoError(t, s.DeliveredOutbox(ctx, it.Seq, "three", later))
	again, err = s.ClaimOutbox(ctx, "four", []string{"a"}, later.Add(time.Hour), time.Minute, 10)
	require.NoError(t, err)
	require.Empty(t, again)
	pend, err = s.PendingOutbox(ctx)
	require.NoError(t, err)
	require.Equal(t, map[string]int{"b": 1}, pend)

	// Pruning drops delivered items only, and only old enough ones.
	n, err := s.PruneOutbox(ctx, later)
	require.NoError(t, err)
	require.Zero(t, n)
	n, err = s.PruneOutbox(ctx, later.Add(time.Second))
	require.NoError(t, err)
	require.Equal(t, int64(1), n)
	pend, err = s.PendingOutbox(ctx)
	require.NoError(t, err)
	require.Equal(t, map[string]int{"b": 1}, pend)
}

func testOutboxSameTransaction(t *testing.T, s store.Store) {
	ctx := context.Background()
	failing := func(ctx context.Context, tx store.CaseTx, r *store.Report) (string, error) {
		if _, err := withEvent("a")(ctx, tx, r); err != nil {
			return "", err
		}
		return "", errors.New("refused")
	}
	_, _, err := s.SaveReport(ctx, Report("e1"), failing)
	require.Error(t, err)
	pend, err := s.PendingOutbox(ctx)
	require.NoError(t, err)
	require.Empty(t, pend, "an event of a rolled-back report must not be sent")

	id, _, err := s.SaveReport(ctx, Report("e2"), pending)
	require.NoError(t, err)
	ev := func(n string) []store.OutboxEvent {
		return []store.OutboxEvent{{ID: n, Kind: "transitioned", CaseID: id, At: time.Now(), Payload: []byte(`{}`), Sinks: []string{"a"}}}
	}
	require.NoError(t, s.Transition(ctx, store.Transition{CaseID: id, Version: 1, From: "pending_review", To: "filed",
		Actor: "li", Role: "reviewer", Action: "file", At: t0, Events: ev("t1")}))
	// A conflicting transition stores no event either.
	require.ErrorIs(t, s.Transition(ctx, store.Transition{CaseID: id, Version: 1, From: "pending_review", To: "rejected",
		Actor: "li", Role: "reviewer", Action: "reject", At: t0, Events: ev("t2")}), store.ErrConflict)
	items, err := s.ClaimOutbox(ctx, "one", []string{"a"}, time.Now().Add(time.Second), time.Minute, 10)
	require.NoError(t, err)
	require.Len(t, items, 1)
	require.Equal(t, "t1", items[0].EventID)
}

// testOutboxConcurrentClaims has several claimers (replicas) take items at
// once: each item goes to exactly one of them.
func testOutboxConcurrentClaims(t *testing.T, s store.Store) {
	ctx := context.Background()
	const n = 40
	for i := range n {
		_, _, err := s.SaveReport(ctx, Report(fmt.Sprintf("e%d", i)), withEvent("a"))
		require.NoError(t, err)
	}
	var (
		mu  sync.Mutex
		got = map[string]string{}
		wg  sync.WaitGroup
	)
	now := time.Now().Add(time.Second)
	for w := range 4 {
		owner := fmt.Sprintf("w%d", w)
		wg.Go(func() {
			for {
				items, err := s.ClaimOutbox(ctx, owner, []string{"a"}, now, time.Minute, 3)
				if !assertNoError(t, err) || len(items) == 0 {
					return
				}
				mu.Lock()
				for _, it := range items {
					if prev, ok := got[it.EventID]; ok {
						t.Errorf("event %s claimed by %s and %s", it.EventID, prev, owner)
					}
					got[it.EventID] = owner
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	require.Len(t, got, n)
}

func assertNoError(t *testing.T, err error) bool {
	if err != nil {
		t.Error(err)
		return false
	}
	return true
}
