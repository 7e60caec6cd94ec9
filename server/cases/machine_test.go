package cases_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/store"
	"github.com/xiuhua/xiuhua/server/store/sqlite"
)

func newService(t *testing.T, cfg cases.Config) (*cases.Service, store.Store) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "x.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	return cases.New(st, cfg), st
}

var at = time.Date(2025, 6, 1, 8, 0, 0, 0, time.UTC)

func report(id string) *store.Report {
	return &store.Report{EventID: id, DeviceID: "d1", CameraID: "cam1", ZoneID: "z1", RuleID: "r1",
		ViolationType: "street_vending", ObservedAt: at}
}

func TestStepsAreConsistent(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range cases.Steps {
		require.True(t, cases.KnownStatus(s.From), s.Action)
		require.True(t, cases.KnownStatus(s.To), s.Action)
		require.False(t, cases.Terminal(s.From), "%s leaves a terminal status", s.Action)
		require.False(t, seen[s.From+">"+s.To], "two steps %s → %s", s.From, s.To)
		seen[s.From+">"+s.To] = true
		require.NotEmpty(t, s.Roles)
		for _, r := range s.Roles {
			require.True(t, cases.KnownRole(r))
		}
	}
	// Every working status can be left, and every status reached.
	for _, st := range cases.Statuses {
		require.Equal(t, cases.Terminal(st), len(cases.Allowed(st)) == 0, st)
	}
	require.Equal(t, []string{cases.StatusFiled, cases.StatusRejected}, cases.Allowed(cases.StatusPendingReview))
	require.Equal(t, []string{cases.StatusVerified, cases.StatusHandling}, cases.Allowed(cases.StatusReported))
}

// TestWholeLife walks a case through every stage, including a failed
// verification, and checks the audit trail and stage times.
func TestWholeLife(t *testing.T) {
	ctx := context.Background()
	svc, st := newService(t, cases.DefaultConfig())
	id, _, err := svc.Record(ctx, report("e1"))
	require.NoError(t, err)

	steps := []struct {
		to, role, comment string
	}{
		{cases.StatusFiled, cases.RoleReviewer, ""},
		{cases.StatusDispatched, cases.RoleDispatcher, "派往城管中队"},
		{cases.StatusHandling, cases.RoleHandler, ""},
		{cases.StatusReported, cases.RoleHandler, "已劝离"},
		{cases.StatusHandling, cases.RoleReviewer, "复查仍在"},
		{cases.StatusReported, cases.RoleHandler, "已清理"},
		{cases.StatusVerified, cases.RoleReviewer, ""},
		{cases.StatusClosed, cases.RoleAdmin, ""},
	}
	version := 1
	for _, s := range steps {
		unit := "" // a dispatch names its unit: this case has none of its own
		if s.to == cases.StatusDispatched {
			unit = "城管中队"
		}
		d, err := svc.Transition(ctx, cases.Request{CaseID: id, To: s.to, Version: version, Actor: "officer-" + s.role, Role: s.role, Comment: s.comment, Unit: unit})
		require.NoError(t, err, "to %s", s.to)
		version++
		require.Equal(t, s.to, d.Status)
		require.Equal(t, version, d.Version)
	}
	d, err := svc.Transition(ctx, cases.Request{CaseID: id, To: cases.StatusHandling, Actor: "x", Role: cases.RoleAdmin})
	var te *cases.TransitionError
	require.ErrorAs(t, err, &te)
	require.Nil(t, d)
	require.Empty(t, te.Allowed)
	require.Contains(t, err.Error(), "allowed: none, closed is final")

	full, err := svc.Transition(ctx, cases.Request{}) // bad request, nothing read
	require.ErrorIs(t, err, cases.ErrBadRequest)
	require.Nil(t, full)

	got, err := st.GetCase(ctx, id)
	require.NoError(t, err)
	require.Len(t, got.Audit, len(steps)+1)
	var actions []string
	for i, a := range got.Audit {
		actions = append(actions, a.Action)
		if i > 0 {
			require.Equal(t, got.Audit[i-1].To, a.From, "the trail is a chain")
		}
	}
	require.Equal(t, []string{"open", "file", "dispatch", "accept", "report", "fail_verification", "report", "verify", "close"}, actions)
	require.Equal(t, "复查仍在", got.Audit[5].Comment)
	times := cases.StageTimes(got)
	require.Len(t, times, 7) // every status but rejected
	require.Equal(t, "已清理", times[cases.StatusReported].Comment, "the latest entry of a status")
}

func TestRefusals(t *testing.T) {
	ctx := context.Background()
	svc, st := newService(t, cases.DefaultConfig())
	id, _, err := svc.Record(ctx, report("e1"))
	require.NoError(t, err)

	tests := []struct {
		name string
		req  cases.Request
		want func(t *testing.T, err error)
	}{
		{"skip a stage", cases.Request{To: cases.StatusDispatched, Role: cases.RoleAdmin}, func(t *testing.T, err error) {
			var te *cases.TransitionError
			require.ErrorAs(t, err, &te)
			require.Equal(t, []string{cases.StatusFiled, cases.StatusRejected}, te.Allowed)
			require.EqualError(t, err, "cannot move a case from pending_review to dispatched: allowed: filed, rejected")
		}},
		{"wrong role", cases.Request{To: cases.StatusFiled, Role: cases.RoleHandler}, func(t *testing.T, err error) {
			var fe *cases.ForbiddenError
			require.ErrorAs(t, err, &fe)
			require.EqualError(t, err, `role "handler" may not file a case (pending_review → filed): allowed roles: reviewer, admin`)
		}},
		{"reject without reason", cases.Request{To: cases.StatusRejected, Role: cases.RoleReviewer, Comment: "  "}, func(t *testing.T, err error) {
			require.ErrorIs(t, err, cases.ErrCommentRequired)
		}},
		{"stale version", cases.Request{To: cases.StatusFiled, Role: cases.RoleReviewer, Version: 7}, func(t *testing.T, err error) {
			require.ErrorIs(t, err, store.ErrConflict)
		}},
		{"unknown status", cases.Request{To: "archived", Role: cases.RoleAdmin}, func(t *testing.T, err error) {
			require.ErrorIs(t, err, cases.ErrBadRequest)
			require.ErrorContains(t, err, `to: invalid value "archived"`)
		}},
		{"unknown role", cases.Request{To: cases.StatusFiled, Role: "mayor"}, func(t *testing.T, err error) {
			require.ErrorIs(t, err, cases.ErrBadRequest)
		}},
		{"unknown case", cases.Request{CaseID: "01JXXXXXXXXXXXXXXXXXXXXXXX", To: cases.StatusFiled, Role: cases.RoleAdmin}, func(t *testing.T, err error) {
			require.ErrorIs(t, err, store.ErrNotFound)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := tc.req
			if req.CaseID == "" {
				req.CaseID = id
			}
			req.Actor = "someone"
			d, err := svc.Transition(ctx, req)
			require.Nil(t, d)
			tc.want(t, err)
		})
	}
	d, err := st.GetCase(ctx, id)
	require.NoError(t, err)
	require.Equal(t, cases.StatusPendingReview, d.Status)
	require.Equal(t, 1, d.Version)
	require.Len(t, d.Audit, 1, "refusals write nothing")

	// With a reason the rejection goes through.
	d, err = svc.Transition(ctx, cases.Request{CaseID: id, To: cases.StatusRejected, Role: cases.RoleReviewer, Actor: "wang", Comment: "是行人，不是摊位"})
	require.NoError(t, err)
	require.Equal(t, cases.StatusRejected, d.Status)
	require.Equal(t, "是行人，不是摊位", d.Audit[1].Comment)
}

func TestConcurrentOfficers(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t, cases.DefaultConfig())
	id, _, err := svc.Record(ctx, report("e1"))
	require.NoError(t, err)
	errs := make(chan error, 2)
	for _, to := range []string{cases.StatusFiled, cases.StatusRejected} {
		go func() {
			_, err := svc.Transition(ctx, cases.Request{CaseID: id, To: to, Version: 1, Role: cases.RoleReviewer, Actor: to, Comment: "because"})
			errs <- err
		}()
	}
	a, b := <-errs, <-errs
	if a != nil {
		a, b = b, a
	}
	require.NoError(t, a)
	require.True(t, errors.Is(b, store.ErrConflict), "the loser gets a conflict, got %v", b)
}

func TestDeadlinesAndCodes(t *testing.T) {
	ctx := context.Background()
	cfg := cases.DefaultConfig()
	cfg.Deadlines[cases.StatusPendingReview] = 30 * time.Minute
	cfg.EventCodes["street_vending"] = cases.EventCode{Category: "A", Subcategory: "A7"}
	svc, st := newService(t, cfg)
	id, _, err := svc.Record(ctx, report("e1"))
	require.NoError(t, err)
	d, err := st.GetCase(ctx, id)
	require.NoError(t, err)
	require.Equal(t, "A", d.CategoryCode)
	require.Equal(t, "A7", d.SubcategoryCode)

	due, ok := svc.Deadline(d.Case)
	require.True(t, ok)
	require.Equal(t, d.StatusSince.Add(30*time.Minute), due)
	require.False(t, svc.Overdue(d.Case, d.StatusSince.Add(29*time.Minute)))
	require.True(t, svc.Overdue(d.Case, d.StatusSince.Add(31*time.Minute)))

	d.Status = cases.StatusClosed
	_, ok = svc.Deadline(d.Case)
	require.False(t, ok, "a closed case is never overdue")
	require.False(t, svc.Overdue(d.Case, d.StatusSince.Add(1000*time.Hour)))

	// A type without a code still opens a case, with empty codes.
	r := report("e2")
	r.ViolationType = "new_type"
	id2, _, err := svc.Record(ctx, r)
	require.NoError(t, err)
	d2, err := st.GetCase(ctx, id2)
	require.NoError(t, err)
	require.Empty(t, d2.CategoryCode)

	for _, typ := range []string{"street_vending", "outside_store", "street_laundry", "illegal_structure", "demo_linger"} {
		c, ok := cases.DefaultEventCodes()[typ]
		require.True(t, ok, typ)
		require.NotEmpty(t, c.Subcategory)
	}
	require.Equal(t, "市容环境", cases.DefaultEventCodes()["illegal_structure"].CategoryName)
	require.Equal(t, "街面秩序", cases.DefaultEventCodes()["street_laundry"].CategoryName)
}
