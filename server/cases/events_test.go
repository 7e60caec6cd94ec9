package cases_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/store"
	"github.com/xiuhua/xiuhua/server/store/sqlite"
)

// sinksFor routes every kind in it to one sink named "s".
type sinksFor []string

func (k sinksFor) SinksFor(kind string) []string {
	for _, x := range k {
		if x == kind {
			return []string{"s"}
		}
	}
	return nil
}

// TestEvents follows one place through every event kind and reads them
// back from the outbox.
func TestEvents(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "x.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	cfg := cases.DefaultConfig()
	cfg.Events = sinksFor(cases.EventKinds)
	svc := cases.New(st, cfg)

	first := report("e1")
	first.Detections = box(100, 100, 50, 50)
	id, _, err := svc.Record(ctx, first)
	require.NoError(t, err)
	second := report("e2")
	second.Detections = box(100, 100, 50, 50)
	_, _, err = svc.Record(ctx, second)
	require.NoError(t, err)
	_, err = svc.Transition(ctx, cases.Request{CaseID: id, To: cases.StatusRejected, Actor: "li", Role: "reviewer", Comment: "shadow"})
	require.NoError(t, err)
	third := report("e3")
	third.Detections = box(100, 100, 50, 50)
	_, _, err = svc.Record(ctx, third)
	require.NoError(t, err)
	// A duplicate stores nothing and announces nothing.
	_, dup, err := svc.Record(ctx, report("e1"))
	require.NoError(t, err)
	require.True(t, dup)

	items, err := st.ClaimOutbox(ctx, "t", []string{"s"}, time.Now().Add(time.Second), time.Minute, 100)
	require.NoError(t, err)
	c, err := st.GetCase(ctx, id)
	require.NoError(t, err)
	require.NotEmpty(t, c.Number)
	var got []string
	ids := map[string]bool{}
	for _, it := range items {
		var e cases.Event
		require.NoError(t, json.Unmarshal(it.Payload, &e))
		require.Equal(t, it.EventID, e.ID)
		require.Equal(t, it.Kind, e.Event)
		require.Equal(t, id, e.Case.ID)
		require.Equal(t, c.Number, e.Case.Number, "the %s event names the case's number", e.Event)
		ids[e.ID] = true
		switch e.Event {
		case cases.EventTransitioned:
			require.Equal(t, cases.StatusRejected, e.Case.Status)
			require.Equal(t, "reject", e.Transition.Action)
		default:
			require.NotNil(t, e.Report)
			got = append(got, e.Event+":"+e.Report.EventID)
			continue
		}
		got = append(got, e.Event)
	}
	require.Equal(t, []string{"created:e1", "merged:e2", "transitioned", "suppressed:e3"}, got)
	require.Len(t, ids, 4, "every event has its own id")
}

func TestEventsOnlyForInterestedSinks(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "x.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	cfg := cases.DefaultConfig()
	cfg.Events = sinksFor{cases.EventTransitioned}
	svc := cases.New(st, cfg)
	id, _, err := svc.Record(ctx, report("e1"))
	require.NoError(t, err)
	n, err := st.PendingOutbox(ctx)
	require.NoError(t, err)
	require.Empty(t, n)
	_, err = svc.Transition(ctx, cases.Request{CaseID: id, To: cases.StatusFiled, Actor: "li", Role: "reviewer"})
	require.NoError(t, err)
	n, err = st.PendingOutbox(ctx)
	require.NoError(t, err)
	require.Equal(t, map[string]int{"s": 1}, n)
	var _ store.Outbox = st
}
