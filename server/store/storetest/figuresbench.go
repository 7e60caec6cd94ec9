package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xiuhua/xiuhua/server/store"
	"github.com/xiuhua/xiuhua/server/store/caseid"
)

// benchStages are a made-up centre's mean times per stage (发现→立案 …
// 核查→结案); each case draws its own from an exponential distribution.
var benchStages = []time.Duration{40 * time.Minute, 30 * time.Minute, time.Hour, 6 * time.Hour, 2 * time.Hour, time.Hour}

// SeedFigures fills an empty store with n cases spread over 2026 and
// their audit trails, straight into the tables (exec runs a statement,
// timeText writes a time as the backend's literal), 100 cases a statement:
// 10 % rejected, 5 % left open at some stage, the rest closed, one in ten
// of those sent back once from verification. 300 grid cells, 40 units.
// numbered: the cases get numbers (false for a schema from before them).
func SeedFigures(tb testing.TB, n int, numbered bool, exec func(q string), timeText func(time.Time) string) {
	tb.Helper()
	rng := rand.New(rand.NewPCG(16, 3))
	ids := caseid.NewGen()
	start := time.Date(2025, 12, 31, 16, 0, 0, 0, time.UTC) // 2026 in China Standard Time
	var cases, audit []string
	// The cases first: their trails refer to them.
	flush := func(force bool) {
		if len(cases) < 100 && !(force && len(cases) > 0) {
			return
		}
		number := ""
		if numbered {
			number = "number, "
		}
		exec(`INSERT INTO cases (id, status, violation_type, device_id, camera_id, first_seen, last_seen,
			created_at, updated_at, status_since, grid_code, unit, ` + number + `version) VALUES ` + strings.Join(cases, ", "))
		exec(`INSERT INTO case_audit (case_id, at, actor, action, from_status, to_status) VALUES ` + strings.Join(audit, ", "))
		cases, audit = cases[:0], audit[:0]
	}
	steps := []struct{ from, to, action string }{{"pending_review", "filed", "file"}, {"filed", "dispatched", "dispatch"},
		{"dispatched", "handling", "accept"}, {"handling", "reported", "report"}, {"reported", "verified", "verify"},
		{"verified", "closed", "close"}}
	for i := range n {
		opened := start.Add(time.Duration(float64(365*24*time.Hour) * float64(i) / float64(n)))
		id, _ := ids.NextWithTime(opened)
		at, status := opened, "pending_review"
		entry := func(action, from, to string) {
			audit = append(audit, fmt.Sprintf("('%s', %s, 'bench', '%s', '%s', '%s')", id, timeText(at), action, from, to))
			status = to
		}
		entry("open", "", "pending_review")
		last := len(steps)
		switch r := rng.IntN(100); {
		case r < 10:
			at = at.Add(20 * time.Minute)
			entry("reject", "pending_review", "rejected")
			last = 0
		case r < 15:
			last = rng.IntN(len(steps) - 1)
		}
		for k, st := range steps[:last] {
			at = at.Add(time.Duration(rng.ExpFloat64() * float64(benchStages[k])))
			entry(st.action, st.from, st.to)
			if st.to == "reported" && rng.IntN(10) == 0 {
				at = at.Add(time.Hour)
				entry("fail_verification", "reported", "handling")
				at = at.Add(time.Duration(rng.ExpFloat64() * float64(benchStages[3])))
				entry("report", "handling", "reported")
			}
		}
		cell := rng.IntN(300)
		number := ""
		if numbered {
			number = fmt.Sprintf("'B-%d', ", i)
		}
		cases = append(cases, fmt.Sprintf("('%s', '%s', 'street_vending', 'edge-%d', 'cam-%d', %s, %s, %s, %s, %s, 'g%03d', 'u%02d', %s1)",
			id, status, cell/4, cell, timeText(opened), timeText(opened), timeText(opened), timeText(at), timeText(at), cell, cell%40, number))
		flush(false)
	}
	flush(true)
}

// BenchCaseFigures times CaseFigures on a store SeedFigures filled: the
// whole year, and one month of it.
func BenchCaseFigures(b *testing.B, s store.Store) {
	ctx := context.Background()
	deadlines := map[string]time.Duration{"pending_review": 2 * time.Hour, "filed": time.Hour, "dispatched": 2 * time.Hour,
		"handling": 24 * time.Hour, "reported": 4 * time.Hour, "verified": 2 * time.Hour}
	now := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, r := range []struct {
		name     string
		from, to time.Time
	}{
		{"year", time.Date(2025, 12, 31, 16, 0, 0, 0, time.UTC), time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC)},
		{"month", time.Date(2026, 5, 31, 16, 0, 0, 0, time.UTC), time.Date(2026, 6, 30, 16, 0, 0, 0, time.UTC)},
	} {
		b.Run(r.name, func(b *testing.B) {
			q := store.FiguresQuery{From: r.from, To: r.to, DayOffset: 8 * time.Hour, Deadlines: deadlines, Now: now}
			var filed int
			for b.Loop() {
				f, err := s.CaseFigures(ctx, q)
				if err != nil {
					b.Fatal(err)
				}
				filed = f.Total.Filed
			}
			if filed == 0 {
				b.Fatal("no cases filed in the range: the seed did not take")
			}
			b.ReportMetric(float64(filed), "filed")
		})
	}
}

// FiguresMatchTrail holds CaseFigures (case_stage_times) to the audit
// trail itself (trail: the backend's CaseFiguresFromTrail) on a store
// SeedFigures filled, for ranges, zones, deadlines and moments of
// measuring: every count equal, every stage's seconds to the millisecond
// a case.
func FiguresMatchTrail(t *testing.T, s store.Store, trail func(context.Context, store.FiguresQuery) (store.CaseFigures, error)) {
	ctx := context.Background()
	day := 24 * time.Hour
	year := time.Date(2025, 12, 31, 16, 0, 0, 0, time.UTC)
	def := map[string]time.Duration{"pending_review": 2 * time.Hour, "filed": time.Hour, "dispatched": 2 * time.Hour,
		"handling": 24 * time.Hour, "reported": 4 * time.Hour, "verified": 2 * time.Hour}
	tight := map[string]time.Duration{"handling": 3 * time.Hour, "verified": 30 * time.Minute}
	for _, q := range []store.FiguresQuery{
		{Deadlines: def, Now: year.Add(400 * day), DayOffset: 8 * time.Hour},
		{From: year.Add(100 * day), To: year.Add(130 * day), Deadlines: def, Now: year.Add(400 * day), DayOffset: 8 * time.Hour},
		{From: year.Add(360 * day), Deadlines: tight, Now: year.Add(364 * day), DayOffset: -5 * time.Hour},
		{To: year.Add(10 * day), Now: year.Add(20 * day)},
	} {
		got, err := s.CaseFigures(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		want, err := trail(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if want.Total.Filed == 0 {
			t.Fatalf("%+v: nothing filed: the seed did not take", q)
		}
		requireSame(t, want.Total, got.Total, "total of %v–%v", q.From, q.To)
		for _, dim := range []struct {
			name      string
			want, got map[string]store.FigureCounts
		}{{"day", want.ByDay, got.ByDay}, {"unit", want.ByUnit, got.ByUnit}, {"grid", want.ByGrid, got.ByGrid}} {
			if len(dim.want) != len(dim.got) {
				t.Fatalf("%s: %d groups from the trail, %d from case_stage_times", dim.name, len(dim.want), len(dim.got))
			}
			for k, w := range dim.want {
				requireSame(t, w, dim.got[k], "%s %s of %v–%v", dim.name, k, q.From, q.To)
			}
		}
	}
}

func requireSame(t *testing.T, want, got store.FigureCounts, msg string, args ...any) {
	t.Helper()
	tolerance := map[string]float64{}
	for k, w := range want.Stages {
		tolerance[k] = 0.001 * float64(w.Cases)
	}
	wantStages := want.Stages
	for k, w := range wantStages {
		g := got.Stages[k]
		if g.Cases != w.Cases || g.Seconds-w.Seconds > tolerance[k] || w.Seconds-g.Seconds > tolerance[k] {
			t.Fatalf(msg+": stage %s: trail %+v, case_stage_times %+v", append(args, k, w, g)...)
		}
	}
	if len(got.Stages) != len(wantStages) {
		t.Fatalf(msg+": stages: trail %v, case_stage_times %v", append(args, wantStages, got.Stages)...)
	}
	want.Stages, got.Stages = nil, nil
	if !reflect.DeepEqual(want, got) {
		t.Fatalf(msg+": trail %+v, case_stage_times %+v", append(args, want, got)...)
	}
}
