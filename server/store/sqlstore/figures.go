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

// CaseFigures implements store.Figures. One statement walks the audit trail
// of the cases filed in the range (found through case_audit_filed, the
// index of 'filed' entries by time), pairs each entry with the next by a
// window function to get the time spent in each status, folds that per
// case, and groups the cases by day filed, unit and grid cell: what comes
// back is a row per day, unit and cell, never a row per case or entry.
func (s *Store) CaseFigures(ctx context.Context, q store.FiguresQuery) (store.CaseFigures, error) {
	out := store.CaseFigures{ByDay: map[string]store.FigureCounts{}, ByUnit: map[string]store.FigureCounts{},
		ByGrid: map[string]store.FigureCounts{}, BacklogByUnit: map[string]int{}, BacklogByGrid: map[string]int{}}
	err := s.db.InReadTx(ctx, func(tx Querier) error {
		if s.dialect.FiguresSetup != "" {
			if _, err := tx.Exec(ctx, s.dialect.FiguresSetup); err != nil {
				return err
			}
		}
		if err := s.figures(ctx, tx, q, &out); err != nil {
			return err
		}
		return s.backlog(ctx, tx, q, &out)
	})
	if err != nil {
		return out, s.errorf("case figures: %w", err)
	}
	return out, nil
}

// figures runs figuresSQL into out.
func (s *Store) figures(ctx context.Context, tx Querier, q store.FiguresQuery, out *store.CaseFigures) error {
	var p params
	rows, err := tx.Query(ctx, s.figuresSQL(q, &p), p...)
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

// figuresSQL is CaseFigures' statement; its parameters go to p.
func (s *Store) figuresSQL(q store.FiguresQuery, p *params) string {
	filed := "SELECT case_id, at AS filed_at FROM case_audit WHERE to_status = 'filed'"
	if !q.From.IsZero() {
		filed += " AND at >= " + p.add(q.From)
	}
	if !q.To.IsZero() {
		filed += " AND at < " + p.add(q.To)
	}
	// The deadline of the status a visit is in, in seconds; NULL (never
	// over) for a status without one.
	limit := "CAST(NULL AS DOUBLE PRECISION)"
	if when := deadlineCases(q.Deadlines, p); when != "" {
		limit = "CASE stage " + when + " END"
	}
	perStage, sums := make([]string, 0, len(store.Stages)), make([]string, 0, len(store.Stages))
	for i, st := range store.Stages {
		k := p.add(st)
		perStage = append(perStage, fmt.Sprintf(
			"MAX(CASE WHEN stage = %[1]s AND NOT cur THEN 1 ELSE 0 END) AS n%[2]d, "+
				"SUM(CASE WHEN stage = %[1]s AND NOT cur THEN secs ELSE 0 END) AS s%[2]d", k, i))
		sums = append(sums, fmt.Sprintf("SUM(n%[1]d), CAST(SUM(s%[1]d) AS DOUBLE PRECISION)", i))
	}
	now := p.add(q.Now)
	counts := "COUNT(*), SUM(closed), SUM(CASE WHEN closed = 1 AND over = 0 THEN 1 ELSE 0 END), SUM(over), SUM(over_now), " +
		strings.Join(sums, ", ")
	return `WITH f AS (` + filed + `),
	v AS (
		SELECT a.case_id, f.filed_at, a.to_status AS stage, a.at AS since,
			LEAD(a.at) OVER (PARTITION BY a.case_id ORDER BY a.id) AS until
		FROM case_audit a JOIN f ON f.case_id = a.case_id),
	d AS (
		SELECT case_id, filed_at, stage, until IS NULL AS cur,
			` + s.dialect.Seconds("since", "COALESCE(until, "+now+")") + ` AS secs, ` + limit + ` AS lim
		FROM v),
	per AS (
		SELECT case_id, filed_at, MAX(CASE WHEN secs > lim THEN 1 ELSE 0 END) AS over,
			MAX(CASE WHEN cur AND secs > lim THEN 1 ELSE 0 END) AS over_now,
			` + strings.Join(perStage, ",\n\t\t\t") + `
		FROM d GROUP BY case_id, filed_at),
	x AS MATERIALIZED (
		SELECT ` + s.dialect.Day("per.filed_at", int64(q.DayOffset.Seconds())) + ` AS day, c.unit, c.grid_code,
			CASE WHEN c.status = 'closed' THEN 1 ELSE 0 END AS closed, per.*
		FROM per JOIN cases c ON c.id = per.case_id)
	SELECT 'day', day, ` + counts + ` FROM x GROUP BY day
	UNION ALL SELECT 'unit', unit, ` + counts + ` FROM x GROUP BY unit
	UNION ALL SELECT 'grid', grid_code, ` + counts + ` FROM x GROUP BY grid_code`
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
		fmt.Fprintf(&b, " WHEN %s THEN %s", p.add(k), strconv.FormatFloat(deadlines[k].Seconds(), 'f', -1, 64)+".0")
	}
	return b.String()
}

// backlog counts the open cases over their current stage's deadline now,
// in all and by unit and grid cell, from the cases alone (status and
// status_since), whenever they were filed.
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
