package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/xiuhua/xiuhua/server/store"
)

// CaseFiguresFromTrail computes what CaseFigures does the slow way, from
// the audit trail itself: the cases filed in the range (their 'filed'
// entries), every entry paired with the next by a window function to get
// each visit's time, folded per case and grouped as CaseFigures groups.
// Tests hold case_stage_times (its trigger and its migration's fill) to
// it: the two must agree on any trail.
func (s *Store) CaseFiguresFromTrail(ctx context.Context, q store.FiguresQuery) (store.CaseFigures, error) {
	return s.caseFigures(ctx, q, s.trailSQL)
}

// trailSQL is CaseFiguresFromTrail's statement; its parameters go to p.
func (s *Store) trailSQL(q store.FiguresQuery, p *params) string {
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
	perStage := make([]string, 0, len(store.Stages))
	for i, st := range store.Stages {
		k := p.add(st)
		perStage = append(perStage, fmt.Sprintf(
			"MAX(CASE WHEN stage = %[1]s AND NOT cur THEN 1 ELSE 0 END) AS n%[2]d, "+
				"SUM(CASE WHEN stage = %[1]s AND NOT cur THEN secs ELSE 0 END) AS s%[2]d", k, i))
	}
	now := p.add(q.Now)
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
	` + groupings()
}
