package sqlstore

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/xiuhua/xiuhua/server/store"
)

// CaseFigures implements store.Figures. One statement reads the cases filed
// in the range from case_stage_times (a row per case, which a trigger
// keeps as the audit trail grows: each stage's finished visits, their time
// and the longest, and the current visit), measures them against the
// deadlines, and groups them by day filed, unit and grid cell: what comes
// back is a row per day, unit and cell, never a row per case.
func (s *Store) CaseFigures(ctx context.Context, q store.FiguresQuery) (store.CaseFigures, error) {
	return s.caseFigures(ctx, q, s.figuresSQL)
}

// caseFigures runs statement (CaseFigures' or the trail's) and the backlog.
func (s *Store) caseFigures(ctx context.Context, q store.FiguresQuery, statement func(store.FiguresQuery, *params) string) (store.CaseFigures, error) {
	out := store.CaseFigures{ByDay: map[string]store.FigureCounts{}, ByUnit: map[string]store.FigureCounts{},
		ByGrid: map[string]store.FigureCounts{}, BacklogByUnit: map[string]int{}, BacklogByGrid: map[string]int{}}
	err := s.db.InReadTx(ctx, func(tx Querier) error {
		if s.dialect.FiguresSetup != "" {
			if _, err := tx.Exec(ctx, s.dialect.FiguresSetup); err != nil {
				return err
			}
		}
		if err := s.figures(ctx, tx, statement, q, &out); err != nil {
			return err
		}
		return s.backlog(ctx, tx, q, &out)
	})
	if err != nil {
		return out, s.errorf("case figures: %w", err)
	}
	return out, nil
}

// figures runs statement into out: rows of a dimension (day, unit, grid),
// its key, the counts and each stage's cases and seconds.
func (s *Store) figures(ctx context.Context, tx Querier, statement func(store.FiguresQuery, *params) string,
	q store.FiguresQuery, out *store.CaseFigures) error {
	var p params
	rows, err := tx.Query(ctx, statement(q, &p), p...)
	if err != nil {
		return err
	}
	defer rows.Close()
	into := map[string]map[string]store.FigureCounts{"day": out.ByDay, "unit": out.ByUnit, "grid": out.ByGrid}
	for rows.Next() {
		var dim, key string
		var c store.FigureCounts
		n := make([]int, len(store.Stages))
		secs := make([]float64, len(store.Stages))
		dest := []any{&dim, &key, &c.Filed, &c.Closed, &c.ClosedOnTime, &c.Overdue, &c.OverdueOpen}
		for i := range store.Stages {
			dest = append(dest, &n[i], &secs[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		c.Stages = map[string]store.StageTime{}
		for i, st := range store.Stages {
			if n[i] > 0 {
				c.Stages[st] = store.StageTime{Cases: n[i], Seconds: secs[i]}
			}
		}
		into[dim][key] = c
		if dim == "day" {
			out.Total.Add(c)
		}
	}
	return rows.Err()
}

// deadlineCases is the WHEN clauses of a CASE on the stage: each status's
// deadline in seconds (numbers from the configuration, written as
// literals so that both dialects type the CASE as a number).
func deadlineCases(deadlines map[string]time.Duration, p *params) string {
	keys := make([]string, 0, len(deadlines))
	for k, d := range deadlines {
		if d > 0 {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, " WHEN %s THEN %s", p.add(k), seconds(deadlines[k]))
	}
	return b.String()
}

// backlog counts the open cases over their current stage's deadline now,
// in all and by unit and grid cell, from the cases alone (status and
// status_since), whenever they were filed.
// figuresSQL is CaseFigures' statement; its parameters go to p.
func (s *Store) figuresSQL(q store.FiguresQuery, p *params) string {
	where := "t.filed_at IS NOT NULL"
	if !q.From.IsZero() {
		where += " AND t.filed_at >= " + p.add(q.From)
	}
	if !q.To.IsZero() {
		where += " AND t.filed_at < " + p.add(q.To)
	}
	// The current visit is over when it has lasted longer than its
	// status's deadline by now; a finished one when its longest did.
	overNow := "0 = 1"
	if when := deadlineCases(q.Deadlines, p); when != "" {
		overNow = s.dialect.Seconds("t.last_at", p.add(q.Now)) + " > CASE t.last_status" + when + " END"
	}
	over := []string{overNow}
	var stages []string
	for i, st := range store.Stages {
		if d := q.Deadlines[st]; d > 0 {
			over = append(over, fmt.Sprintf("t.m%d > %s", i, seconds(d)))
		}
		stages = append(stages, fmt.Sprintf("CASE WHEN t.n%[1]d > 0 THEN 1 ELSE 0 END AS n%[1]d, t.s%[1]d", i))
	}
	return `WITH x AS MATERIALIZED (
		SELECT ` + s.dialect.Day("t.filed_at", int64(q.DayOffset.Seconds())) + ` AS day, c.unit, c.grid_code,
			CASE WHEN c.status = 'closed' THEN 1 ELSE 0 END AS closed,
			CASE WHEN ` + strings.Join(over, " OR ") + ` THEN 1 ELSE 0 END AS over,
			CASE WHEN ` + overNow + ` THEN 1 ELSE 0 END AS over_now,
			` + strings.Join(stages, ", ") + `
		FROM case_stage_times t JOIN cases c ON c.id = t.case_id
		WHERE ` + where + `)
	` + groupings()
}

// groupings sums the per-case rows of x by day, unit and grid cell.
func groupings() string {
	sums := make([]string, 0, len(store.Stages))
	for i := range store.Stages {
		sums = append(sums, fmt.Sprintf("SUM(n%[1]d), CAST(SUM(s%[1]d) AS DOUBLE PRECISION)", i))
	}
	counts := "COUNT(*), SUM(closed), SUM(CASE WHEN closed = 1 AND over = 0 THEN 1 ELSE 0 END), SUM(over), SUM(over_now), " +
		strings.Join(sums, ", ")
	return `SELECT 'day', day, ` + counts + ` FROM x GROUP BY day
	UNION ALL SELECT 'unit', unit, ` + counts + ` FROM x GROUP BY unit
	UNION ALL SELECT 'grid', grid_code, ` + counts + ` FROM x GROUP BY grid_code`
}

// seconds writes d as a number literal of seconds.
func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + ".0"
}

func (s *Store) backlog(ctx context.Context, tx Querier, q store.FiguresQuery, out *store.CaseFigures) error {
	var p params
	var or []string
	for st, d := range q.Deadlines {
		if d > 0 {
			or = append(or, "(c.status = "+p.add(st)+" AND c.status_since < "+p.add(q.Now.Add(-d))+")")
		}
	}
	if len(or) == 0 {
		return nil
	}
	rows, err := tx.Query(ctx, "SELECT c.unit, c.grid_code, COUNT(*) FROM cases c WHERE "+
		strings.Join(or, " OR ")+" GROUP BY c.unit, c.grid_code", p...)
	if err != nil {
		return fmt.Errorf("backlog: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var unit, grid string
		var n int
		if err := rows.Scan(&unit, &grid, &n); err != nil {
			return fmt.Errorf("backlog: %w", err)
		}
		out.Backlog += n
		out.BacklogByUnit[unit] += n
		out.BacklogByGrid[grid] += n
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("backlog: %w", err)
	}
	return nil
}
