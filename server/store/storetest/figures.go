package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/store"
)

// step is one transition of a fixture case, at a time after its opening.
type step struct {
	from, to, action string
	after            time.Duration
}

// workflow is the whole cycle with the given time spent in each stage,
// from the opening: 发现→立案, 立案→派遣, 派遣→处置, 处置→反馈, 反馈→核查,
// 核查→结案.
func workflow(stages ...time.Duration) []step {
	names := []struct{ from, to, action string }{{"pending_review", "filed", "file"}, {"filed", "dispatched", "dispatch"},
		{"dispatched", "handling", "accept"}, {"handling", "reported", "report"}, {"reported", "verified", "verify"},
		{"verified", "closed", "close"}}
	var out []step
	var at time.Duration
	for i, d := range stages {
		at += d
		out = append(out, step{names[i].from, names[i].to, names[i].action, at})
	}
	return out
}

// figureCase opens a case in a unit and grid cell and takes its steps; it
// returns the case's opening time.
func figureCase(t *testing.T, s store.Store, event, unit, grid string, steps []step) time.Time {
	ctx := context.Background()
	id, _, err := s.SaveReport(ctx, Report(event), openWith("street_vending", grid, unit))
	require.NoError(t, err)
	c, err := s.GetCase(ctx, id)
	require.NoError(t, err)
	for i, st := range steps {
		require.NoError(t, s.Transition(ctx, store.Transition{CaseID: id, Version: i + 1, From: st.from, To: st.to,
			Actor: "x", Role: "admin", Action: st.action, Comment: "c", At: c.CreatedAt.Add(st.after)}), "%s step %d", event, i)
	}
	return c.CreatedAt
}

var h, m = time.Hour, time.Minute

// testCaseFigures: hand-computed figures of six cases (docs/statistics.md):
// A closed with every stage in time, B closed late (two hours filed, one
// allowed), C open and over its handling deadline now, E sent back once
// and closed in time, D rejected and F never looked at (neither filed, F
// over its deadline now).
func testCaseFigures(t *testing.T, s store.Store) {
	ctx := context.Background()
	ta := figureCase(t, s, "fig-a", "u1", "g1", workflow(30*m, 30*m, h, 3*h, h, h))
	figureCase(t, s, "fig-b", "u2", "g1", workflow(h, 2*h, h, 6*h, h, h))
	figureCase(t, s, "fig-c", "u1", "g2", workflow(10*m, 10*m, 10*m))
	figureCase(t, s, "fig-d", "u1", "g1", []step{{"pending_review", "rejected", "reject", 5 * m}})
	figureCase(t, s, "fig-e", "u2", "g2", []step{{"pending_review", "filed", "file", 20 * m},
		{"filed", "dispatched", "dispatch", 40 * m}, {"dispatched", "handling", "accept", h},
		{"handling", "reported", "report", 2 * h}, {"reported", "handling", "fail_verification", 3 * h},
		{"handling", "reported", "report", 5 * h}, {"reported", "verified", "verify", 6 * h},
		{"verified", "closed", "close", 7 * h}})
	figureCase(t, s, "fig-f", "u3", "g3", nil)

	deadlines := map[string]time.Duration{"pending_review": 2 * h, "filed": h, "dispatched": 2 * h,
		"handling": 24 * h, "reported": 4 * h, "verified": 2 * h}
	q := store.FiguresQuery{Deadlines: deadlines, Now: ta.Add(10 * 24 * h), DayOffset: 8 * h}
	got, err := s.CaseFigures(ctx, q)
	require.NoError(t, err)

	stages := func(secs ...float64) map[string]store.StageTime {
		out := map[string]store.StageTime{}
		for i := 0; i < len(secs); i += 2 {
			out[store.Stages[i/2]] = store.StageTime{Cases: int(secs[i]), Seconds: secs[i+1]}
		}
		return out
	}
	want := store.FigureCounts{Filed: 4, Closed: 3, ClosedOnTime: 2, Overdue: 2, OverdueOpen: 1,
		Stages: stages(4, 2*3600, 4, 3*3600, 4, 2.5*3600, 3, 12*3600, 3, 4*3600, 3, 3*3600)}
	requireCounts(t, want, got.Total, "total")
	requireCounts(t, store.FigureCounts{Filed: 2, Closed: 1, ClosedOnTime: 1, Overdue: 1, OverdueOpen: 1,
		Stages: stages(2, 40*60, 2, 40*60, 2, 70*60, 1, 3*3600, 1, 3600, 1, 3600)}, got.ByUnit["u1"], "unit u1")
	requireCounts(t, store.FigureCounts{Filed: 2, Closed: 2, ClosedOnTime: 1, Overdue: 1,
		Stages: stages(2, 80*60, 2, 140*60, 2, 80*60, 2, 9*3600, 2, 3*3600, 2, 2*3600)}, got.ByUnit["u2"], "unit u2")
	require.Len(t, got.ByUnit, 2, "D and F were never filed")
	requireCounts(t, store.FigureCounts{Filed: 2, Closed: 2, ClosedOnTime: 1, Overdue: 1,
		Stages: stages(2, 90*60, 2, 150*60, 2, 2*3600, 2, 9*3600, 2, 2*3600, 2, 2*3600)}, got.ByGrid["g1"], "grid g1")
	requireCounts(t, store.FigureCounts{Filed: 2, Closed: 1, ClosedOnTime: 1, Overdue: 1, OverdueOpen: 1,
		Stages: stages(2, 30*60, 2, 30*60, 2, 30*60, 1, 3*3600, 1, 2*3600, 1, 3600)}, got.ByGrid["g2"], "grid g2")
	var days store.FigureCounts
	for day, c := range got.ByDay {
		require.Regexp(t, `^\d{4}-\d{2}-\d{2}$`, day)
		days.Add(c)
	}
	requireCounts(t, want, days, "the days add up to the total")
	require.Equal(t, 2, got.Backlog, "C (handling) and F (pending review) are over their deadline now")
	require.Equal(t, map[string]int{"u1": 1, "u3": 1}, got.BacklogByUnit)
	require.Equal(t, map[string]int{"g2": 1, "g3": 1}, got.BacklogByGrid)

	// B was filed an hour after opening, the others within half an hour:
	// a range ending 45 minutes after the openings leaves B out.
	q.To = ta.Add(45 * m)
	got, err = s.CaseFigures(ctx, q)
	require.NoError(t, err)
	requireCounts(t, store.FigureCounts{Filed: 3, Closed: 2, ClosedOnTime: 2, Overdue: 1, OverdueOpen: 1,
		Stages: stages(3, 3600, 3, 3600, 3, 5400, 2, 6*3600, 2, 3*3600, 2, 2*3600)}, got.Total, "to %s", q.To)

	// An hour after C's handling began nothing of C is over: B is.
	q = store.FiguresQuery{Deadlines: deadlines, Now: ta.Add(30*m + h)}
	got, err = s.CaseFigures(ctx, q)
	require.NoError(t, err)
	require.Equal(t, 1, got.Total.Overdue, "only B at %s", q.Now)
	require.Zero(t, got.Total.OverdueOpen)

	// Without deadlines nothing is ever over, and everything closed is
	// closed in time.
	got, err = s.CaseFigures(ctx, store.FiguresQuery{Now: ta.Add(10 * 24 * h)})
	require.NoError(t, err)
	require.Equal(t, 3, got.Total.ClosedOnTime)
	require.Zero(t, got.Total.Overdue)
	require.Zero(t, got.Backlog)

	// No cases filed in the range: zeros, not an error.
	got, err = s.CaseFigures(ctx, store.FiguresQuery{From: ta.Add(-48 * h), To: ta.Add(-24 * h), Now: ta, Deadlines: deadlines})
	require.NoError(t, err)
	require.Zero(t, got.Total.Filed)
	require.Empty(t, got.ByDay)
}

// requireCounts compares counts, stage times to the second: SQLite
// measures them to the millisecond.
func requireCounts(t *testing.T, want, got store.FigureCounts, msg string, args ...any) {
	t.Helper()
	wantStages, gotStages := want.Stages, got.Stages
	want.Stages, got.Stages = nil, nil
	require.Equal(t, want, got, append([]any{msg}, args...)...)
	require.Len(t, gotStages, len(wantStages), append([]any{msg + ": stages %v"}, append(args, gotStages)...)...)
	for k, w := range wantStages {
		g := gotStages[k]
		require.Equal(t, w.Cases, g.Cases, append([]any{msg + ": cases of stage " + k}, args...)...)
		require.InDelta(t, w.Seconds, g.Seconds, 1, append([]any{msg + ": seconds of stage " + k}, args...)...)
	}
}
