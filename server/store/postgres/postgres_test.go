package postgres

import (
	"context"
	"fmt"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/store"
	"github.com/xiuhua/xiuhua/server/store/postgres/pgtest"
	"github.com/xiuhua/xiuhua/server/store/sqlstore"
	"github.com/xiuhua/xiuhua/server/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := Open(context.Background(), pgtest.Schema(t))
		require.NoError(t, err)
		return s
	})
}

// TestReplicasShareOneDatabase: several stores, each with its own pool as
// separate server processes would have, open one schema at once (racing on
// the migrations) and then all receive the same reports at once. Every
// event gets exactly one report row and one case, and all replicas agree
// which.
func TestReplicasShareOneDatabase(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.Schema(t)
	const replicas, events = 4, 25
	stores := make([]*Store, replicas)
	var wg sync.WaitGroup
	openErrs := make([]error, replicas)
	for i := range stores {
		wg.Go(func() { stores[i], openErrs[i] = Open(ctx, dsn) })
	}
	wg.Wait()
	for i, err := range openErrs {
		require.NoError(t, err, "replica %d", i)
		t.Cleanup(func() { stores[i].Close() })
	}

	assign := func(ctx context.Context, tx store.CaseTx, r *store.Report) (string, error) {
		return tx.OpenCase(ctx, store.NewCase{Status: "pending_review", ViolationType: r.ViolationType, CameraID: r.CameraID})
	}
	type answer struct {
		caseID string
		dup    bool
		err    error
	}
	answers := make([][]answer, events)
	for e := range events {
		answers[e] = make([]answer, replicas)
		for i, s := range stores {
			wg.Go(func() {
				id, dup, err := s.SaveReport(ctx, storetest.Report(fmt.Sprintf("ev-%d", e)), assign)
				answers[e][i] = answer{id, dup, err}
			})
		}
	}
	wg.Wait()
	caseIDs := map[string]bool{}
	for e, as := range answers {
		fresh := 0
		for i, a := range as {
			require.NoError(t, a.err, "event %d replica %d", e, i)
			require.Equal(t, as[0].caseID, a.caseID, "event %d: replicas disagree", e)
			if !a.dup {
				fresh++
			}
		}
		require.Equal(t, 1, fresh, "event %d stored by exactly one replica", e)
		caseIDs[as[0].caseID] = true
	}
	require.Len(t, caseIDs, events)

	var nCases, nReports, nEvidence int
	require.NoError(t, stores[0].pool.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM cases), (SELECT COUNT(*) FROM reports),
		(SELECT COUNT(*) FROM evidence)`).Scan(&nCases, &nReports, &nEvidence))
	require.Equal(t, events, nCases, "no orphan cases from the losers")
	require.Equal(t, events, nReports)
	require.Equal(t, 2*events, nEvidence)
	var migrations int
	require.NoError(t, stores[0].pool.QueryRow(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&migrations))
	ms, err := loadMigrations()
	require.NoError(t, err)
	require.Equal(t, len(ms), migrations)
}

func TestAuditIsAppendOnly(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, pgtest.Schema(t))
	require.NoError(t, err)
	defer s.Close()
	_, _, err = s.SaveReport(ctx, storetest.Report("e1"), func(ctx context.Context, tx store.CaseTx, r *store.Report) (string, error) {
		return tx.OpenCase(ctx, store.NewCase{Status: "pending_review", ViolationType: r.ViolationType, CameraID: r.CameraID})
	})
	require.NoError(t, err)
	for _, q := range []string{`UPDATE case_audit SET comment = 'x'`, `DELETE FROM case_audit`} {
		_, err := s.pool.Exec(ctx, q)
		require.ErrorContains(t, err, "case_audit is append-only", q)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.Schema(t)
	s, err := Open(ctx, dsn)
	require.NoError(t, err)
	_, err = s.pool.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES (999, '0999_future.sql')`)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	_, err = Open(ctx, dsn)
	require.ErrorContains(t, err, "database schema version 999 is newer than this server knows")
}

func TestUnreachable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := Open(ctx, "postgres://nobody:secret@127.0.0.1:1/none?sslmode=disable&connect_timeout=5")
	require.ErrorContains(t, err, "postgres: connect 127.0.0.1:1/none")
	require.NotContains(t, err.Error(), "secret")
	_, err = Open(ctx, "postgres://u:secret@[::1:5432/x")
	require.ErrorContains(t, err, "postgres: bad connection string")
	require.NotContains(t, err.Error(), "secret")
}

// TestCountsFollowUpdates: the statistics' triggers follow changes of
// type, grid cell and creation time made outside the store's methods.
func TestCountsFollowUpdates(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, pgtest.Schema(t))
	require.NoError(t, err)
	defer s.Close()
	storetest.CountsFollowUpdates(t, s, func(q string) {
		_, err := s.pool.Exec(ctx, q)
		require.NoError(t, err, q)
	}, func(at time.Time) string { return "'" + at.UTC().Format(time.RFC3339Nano) + "'" })

	// What the triggers kept equals what the migration's fill statement
	// (which a bulk load runs with the trigger off) counts from scratch.
	counts := func() []string {
		rows, err := s.pool.Query(ctx, `SELECT dim || ' ' || bucket::text || ' ' || key || ' ' || n FROM case_counts WHERE n <> 0 ORDER BY 1`)
		require.NoError(t, err)
		out, err := pgx.CollectRows(rows, pgx.RowTo[string])
		require.NoError(t, err)
		return out
	}
	kept := counts()
	require.NotEmpty(t, kept)
	fill, err := CaseCountsFill()
	require.NoError(t, err)
	_, err = s.pool.Exec(ctx, "DELETE FROM case_counts")
	require.NoError(t, err)
	_, err = s.pool.Exec(ctx, fill)
	require.NoError(t, err)
	require.Equal(t, kept, counts())
}

// TestNumbersBackfilled: migration 0015 numbers the cases already there.
func TestNumbersBackfilled(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.Schema(t)
	ms, err := loadMigrations()
	require.NoError(t, err)
	i := slices.IndexFunc(ms, func(m sqlstore.Migration) bool { return strings.HasSuffix(m.Name, "_numbers_stage_times.sql") })
	require.Positive(t, i)
	pool, err := pgxpool.New(ctx, dsn)
	require.NoError(t, err)
	defer pool.Close()
	require.NoError(t, migrateThese(ctx, pool, ms[:i]))
	insert := func(id string, at time.Time) {
		_, err := pool.Exec(ctx, `INSERT INTO cases (id, status, violation_type, device_id, camera_id,
			first_seen, last_seen, created_at, updated_at, status_since) VALUES ($1, 'filed', 'x', 'd', 'c', $2, $2, $2, $2, $2)`, id, at)
		require.NoError(t, err)
	}
	storetest.NumbersBackfilled(t, insert, func() store.Store {
		s, err := Open(ctx, dsn)
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		return s
	})
}

// BenchmarkCaseFigures: a year of 50,000 cases (docs/statistics.md quotes
// the numbers).
func BenchmarkCaseFigures(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, pgtest.Schema(b))
	require.NoError(b, err)
	defer s.Close()
	storetest.SeedFigures(b, 50000, true, func(q string) {
		_, err := s.pool.Exec(ctx, q)
		require.NoError(b, err)
	}, func(at time.Time) string { return "'" + at.UTC().Format(time.RFC3339Nano) + "'" })
	_, err = s.pool.Exec(ctx, "ANALYZE")
	require.NoError(b, err)
	storetest.BenchCaseFigures(b, s)
}

// TestFiguresMatchTrail: the trigger keeps case_stage_times equal to what
// the audit trail says, and so does migration 0015's fill of a database
// that had trails before it.
func TestFiguresMatchTrail(t *testing.T) {
	ctx := context.Background()
	timeText := func(at time.Time) string { return "'" + at.UTC().Format(time.RFC3339Nano) + "'" }
	s, err := Open(ctx, pgtest.Schema(t))
	require.NoError(t, err)
	defer s.Close()
	storetest.SeedFigures(t, 3000, true, func(q string) {
		_, err := s.pool.Exec(ctx, q)
		require.NoError(t, err)
	}, timeText)
	storetest.FiguresMatchTrail(t, s, s.CaseFiguresFromTrail)

	dsn := pgtest.Schema(t)
	ms, err := loadMigrations()
	require.NoError(t, err)
	i := slices.IndexFunc(ms, func(m sqlstore.Migration) bool { return strings.HasSuffix(m.Name, "_numbers_stage_times.sql") })
	pool, err := pgxpool.New(ctx, dsn)
	require.NoError(t, err)
	defer pool.Close()
	require.NoError(t, migrateThese(ctx, pool, ms[:i]))
	storetest.SeedFigures(t, 3000, false, func(q string) {
		_, err := pool.Exec(ctx, q)
		require.NoError(t, err)
	}, timeText)
	s2, err := Open(ctx, dsn)
	require.NoError(t, err)
	defer s2.Close()
	storetest.FiguresMatchTrail(t, s2, s2.CaseFiguresFromTrail)
}

// TestNumbersAndStageTimesFill: the migration's fill statements, which a
// bulk load runs after copying with the trigger off, give what the trigger
// and the store's openings kept.
func TestNumbersAndStageTimesFill(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, pgtest.Schema(t))
	require.NoError(t, err)
	defer s.Close()
	for i := range 3 {
		_, _, err := s.SaveReport(ctx, storetest.Report(fmt.Sprintf("fill-%d", i)), func(ctx context.Context, tx store.CaseTx, r *store.Report) (string, error) {
			return tx.OpenCase(ctx, store.NewCase{Status: "pending_review", ViolationType: r.ViolationType, CameraID: r.CameraID})
		})
		require.NoError(t, err)
	}
	// Straight into the tables (numbered B-1, B-2 …, which case_number_days
	// does not count: only the store's openings are compared there).
	storetest.SeedFigures(t, 500, true, func(q string) {
		_, err := s.pool.Exec(ctx, q)
		require.NoError(t, err)
	}, func(at time.Time) string { return "'" + at.UTC().Format(time.RFC3339Nano) + "'" })

	var stages []string
	for i := range 6 {
		stages = append(stages, fmt.Sprintf("n%[1]d, round(s%[1]d::numeric, 2), round(m%[1]d::numeric, 2)", i))
	}
	rows := func() []string {
		r, err := s.pool.Query(ctx, `SELECT row(case_id, filed_at, last_at, last_status, `+strings.Join(stages, ", ")+`)::text
			FROM case_stage_times UNION ALL SELECT day || ' ' || last FROM case_number_days WHERE day ~ '^[0-9]{8}$' ORDER BY 1`)
		require.NoError(t, err)
		out, err := pgx.CollectRows(r, pgx.RowTo[string])
		require.NoError(t, err)
		return out
	}
	kept := rows()
	require.Greater(t, len(kept), 500)
	fills, err := NumbersAndStageTimesFill()
	require.NoError(t, err)
	require.Len(t, fills, 2)
	_, err = s.pool.Exec(ctx, "DELETE FROM case_stage_times; DELETE FROM case_number_days")
	require.NoError(t, err)
	for _, f := range fills {
		_, err = s.pool.Exec(ctx, f)
		require.NoError(t, err, f)
	}
	require.Equal(t, kept, rows())
}
