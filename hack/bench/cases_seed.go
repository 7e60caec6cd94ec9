package main

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/xiuhua/xiuhua/server/store"
	"github.com/xiuhua/xiuhua/server/store/casenum"
	"github.com/xiuhua/xiuhua/server/store/postgres"
)

// seedYear fills an empty, migrated database with a year of cases in one
// transaction: the cases, then their reports, evidence and audit trail,
// each table by COPY from a pass over the same generated year (nothing of
// the year is held in memory but the ids).
func seedYear(ctx context.Context, conn *pgx.Conn, c *city, seed uint64, times []time.Time, ids []string) error {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	// The case_counts trigger upserts the same month's counters thousands
	// of times in this one transaction, and every upsert walks the chain
	// of that row's versions so far: quadratic, hours for a million cases.
	// Off while copying; the counts are filled after, as the migration
	// that made them does.
	if _, err := tx.Exec(ctx, `ALTER TABLE cases DISABLE TRIGGER case_counts_insert_delete`); err != nil {
		return fmt.Errorf("seed: case counts trigger: %w", err)
	}
	// The stage-times trigger would upsert a case's row once per audit
	// row: off too, and filled after as its migration fills it.
	if _, err := tx.Exec(ctx, `ALTER TABLE case_audit DISABLE TRIGGER case_stage_times_follow`); err != nil {
		return fmt.Errorf("seed: stage times trigger: %w", err)
	}
	// Case numbers by day, in creation order (times are sorted), as
	// OpenCase gives them.
	seedNumbers = map[string]int64{}
	for _, t := range seedTables {
		start := time.Now()
		i, sub := 0, 0
		var cur *seedCase
		var rows [][]any
		n, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.columns, pgx.CopyFromFunc(func() ([]any, error) {
			for sub >= len(rows) {
				if i == len(ids) {
					return nil, nil
				}
				cur = c.makeCase(seed, i, times[i], ids[i])
				rows, sub = t.rows(cur, i), 0
				i++
			}
			sub++
			return rows[sub-1], nil
		}))
		if err != nil {
			return fmt.Errorf("seed %s: %w", t.name, err)
		}
		fmt.Printf("  seeded %-10s %9d rows in %s\n", t.name, n, time.Since(start).Round(time.Second))
	}
	if err := fillCaseCounts(ctx, tx); err != nil {
		return err
	}
	if err := fillStageTimes(ctx, tx); err != nil {
		return err
	}
	// Report ids were given explicitly (evidence names them): move the
	// sequence past them for the server's own inserts.
	if _, err := tx.Exec(ctx, `SELECT setval('reports_id_seq', (SELECT max(id) FROM reports))`); err != nil {
		return fmt.Errorf("seed: reports sequence: %w", err)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE bench_seed (
		cases integer NOT NULL, seed bigint NOT NULL, cells integer NOT NULL, units integer NOT NULL, at timestamptz NOT NULL)`); err != nil {
		return fmt.Errorf("seed: marker: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO bench_seed VALUES ($1, $2, $3, $4, now())`,
		len(ids), int64(seed), len(c.cells), len(c.units)); err != nil {
		return fmt.Errorf("seed: marker: %w", err)
	}
	return tx.Commit(ctx)
}

// seedTable makes the rows of one table for a case; i is the case's place
// in the year (report ids derive from it).
type seedTable struct {
	name    string
	columns []string
	rows    func(sc *seedCase, i int) [][]any
}

// maxReports bounds a case's reports (makeReports): report ids are
// i*maxReports+j.
const maxReports = 20

var seedTables = []seedTable{
	{"cases", []string{"id", "status", "violation_type", "device_id", "camera_id", "zone_id", "rule_id",
		"first_seen", "last_seen", "report_count", "created_at", "updated_at", "version", "status_since",
		"category_code", "subcategory_code", "lat", "lon", "grid_code", "unit", "assignee", "number"},
		func(sc *seedCase, _ int) [][]any {
			code := eventCodes[sc.vtype]
			unit := sc.cell.unit
			return [][]any{{sc.id, sc.status, sc.vtype, sc.device, sc.camera, sc.zone, sc.vtype + "-rule",
				sc.reports[0].observed, sc.reports[len(sc.reports)-1].observed, len(sc.reports), sc.created, sc.updated,
				1 + len(sc.steps), sc.since, code.Category, code.Subcategory, sc.lat, sc.lon, sc.cell.code, unit, sc.assignee,
				seedNumber(sc.created)}}
		}},
	{"reports", []string{"id", "event_id", "case_id", "device_id", "camera_id", "zone_id", "rule_id", "violation_type",
		"observed_at", "started_at", "dwell_seconds", "detections", "lat", "lon", "model_name", "model_version",
		"model_sha256", "frame_width", "frame_height", "signature", "signed", "signature_verified", "received_at", "suppressed"},
		func(sc *seedCase, i int) [][]any {
			out := make([][]any, len(sc.reports))
			for j, r := range sc.reports {
				det := fmt.Sprintf(`[{"class_name":"umbrella","score":0.8%d,"x":%d,"y":%d,"width":180,"height":140,"track_id":%d}]`,
					j%10, 300+j, 420+j, i+1)
				out[j] = []any{int64(i*maxReports + j + 1), fmt.Sprintf("%s-r%d", sc.id, j), sc.id, sc.device, sc.camera, sc.zone,
					sc.vtype + "-rule", sc.vtype, r.observed, r.observed.Add(-time.Duration(r.dwell) * time.Second), r.dwell,
					det, sc.lat, sc.lon, "yolox-nano", "2026.03", benchModelSHA, 1920, 1080,
					benchSignature, benchSigned, true, r.received, sc.status == "rejected" && j > 0}
			}
			return out
		}},
	{"evidence", []string{"report_id", "name", "kind", "content_type", "size", "sha256"},
		func(sc *seedCase, i int) [][]any {
			var out [][]any
			for j, r := range sc.reports {
				for _, e := range r.evidence {
					out = append(out, []any{int64(i*maxReports + j + 1), e.Name, e.Kind, e.ContentType, e.Size, e.SHA256})
				}
			}
			return out
		}},
	{"case_audit", []string{"case_id", "at", "actor", "role", "action", "from_status", "to_status", "comment",
		"attachment_sha256", "attachment_type", "attachment_size", "assign_unit", "assign_officer"},
		func(sc *seedCase, _ int) [][]any {
			out := [][]any{{sc.id, sc.created, store.SystemActor, "", store.ActionOpen, "", "pending_review", "", nil, nil, nil, nil, nil}}
			for _, e := range sc.steps {
				row := []any{sc.id, e.At, e.Actor, e.Role, e.Action, e.From, e.To, e.Comment, nil, nil, nil, nil, nil}
				if a := e.Attachment; a != nil {
					row[8], row[9], row[10] = a.SHA256, a.ContentType, a.Size
				}
				if a := e.Assign; a != nil {
					row[11], row[12] = a.Unit, a.Officer
				}
				out = append(out, row)
			}
			return out
		}},
}

// What every seeded report carries alike: sizes as real ones, contents
// that nothing checks.
var (
	benchModelSHA  = "695e750a5d5754bb5a8d5325643b59282191a7e7a564e435a415fd3c578eab14"
	benchSignature = make([]byte, 64)
	benchSigned    = make([]byte, 220)
)

// seedNumbers is each day's last case number so far in the seeding.
var seedNumbers map[string]int64

// shanghai is the zone of the seeded cases' numbers, the default one.
var shanghai = func() *time.Location {
	loc, err := time.LoadLocation(casenum.DefaultZone)
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}()

// seedNumber is the next number of the day of created.
func seedNumber(created time.Time) string {
	day := casenum.Day(created, shanghai)
	seedNumbers[day]++
	return casenum.Format(day, seedNumbers[day])
}

// fillStageTimes turns the stage-times trigger back on and fills
// case_number_days and case_stage_times with migration
// 0016_numbers_stage_times.sql's own statements.
func fillStageTimes(ctx context.Context, tx pgx.Tx) error {
	start := time.Now()
	if _, err := tx.Exec(ctx, `ALTER TABLE case_audit ENABLE TRIGGER case_stage_times_follow`); err != nil {
		return fmt.Errorf("seed: stage times trigger: %w", err)
	}
	fills, err := postgres.NumbersAndStageTimesFill()
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	for _, fill := range fills {
		if _, err := tx.Exec(ctx, fill); err != nil {
			return fmt.Errorf("seed: numbers and stage times: %w", err)
		}
	}
	fmt.Printf("  filled   case_number_days and case_stage_times in %s\n", time.Since(start).Round(time.Second))
	return nil
}

// fillCaseCounts turns the case_counts trigger back on and counts the
// seeded cases with migration 0008_scale.sql's own statement.
func fillCaseCounts(ctx context.Context, tx pgx.Tx) error {
	start := time.Now()
	if _, err := tx.Exec(ctx, `ALTER TABLE cases ENABLE TRIGGER case_counts_insert_delete`); err != nil {
		return fmt.Errorf("seed: case counts trigger: %w", err)
	}
	fill, err := postgres.CaseCountsFill()
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	if _, err := tx.Exec(ctx, fill); err != nil {
		return fmt.Errorf("seed: case counts: %w", err)
	}
	fmt.Printf("  counted  case_counts in %s\n", time.Since(start).Round(time.Second))
	return nil
}
