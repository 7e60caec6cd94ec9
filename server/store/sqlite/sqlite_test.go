package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/store"
	"github.com/xiuhua/xiuhua/server/store/sqlstore"
	"github.com/xiuhua/xiuhua/server/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := Open(context.Background(), filepath.Join(t.TempDir(), "xiuhua.db"))
		require.NoError(t, err)
		return s
	})
}

func TestPragmas(t *testing.T) {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "xiuhua.db"))
	require.NoError(t, err)
	defer s.Close()
	for _, tc := range []struct{ pragma, want string }{
		{"journal_mode", "wal"},
		{"synchronous", "2"}, // FULL
		{"foreign_keys", "1"},
		{"busy_timeout", "10000"},
	} {
		t.Run(tc.pragma, func(t *testing.T) {
			var got string
			require.NoError(t, s.db.QueryRow("PRAGMA "+tc.pragma).Scan(&got))
			require.Equal(t, tc.want, strings.ToLower(got))
		})
	}
}

func TestReopenKeepsDataAndSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "xiuhua.db")
	s, err := Open(ctx, path)
	require.NoError(t, err)
	id, _, err := s.SaveReport(ctx, storetest.Report("e1"), func(ctx context.Context, tx store.CaseTx, r *store.Report) (string, error) {
		return tx.OpenCase(ctx, store.NewCase{Status: "pending_review", ViolationType: r.ViolationType, CameraID: r.CameraID})
	})
	require.NoError(t, err)
	require.NoError(t, s.Close())

	s, err = Open(ctx, path)
	require.NoError(t, err)
	defer s.Close()
	got, err := s.ReportCase(ctx, "e1")
	require.NoError(t, err)
	require.Equal(t, id, got)
	var versions []int
	rows, err := s.db.Query(`SELECT version FROM schema_migrations ORDER BY version`)
	require.NoError(t, err)
	for rows.Next() {
		var v int
		require.NoError(t, rows.Scan(&v))
		versions = append(versions, v)
	}
	require.NoError(t, rows.Err())
	ms, err := loadMigrations()
	require.NoError(t, err)
	require.Len(t, versions, len(ms))
	require.Equal(t, 1, versions[0])
}

func TestNewerSchemaRefused(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "xiuhua.db")
	s, err := Open(ctx, path)
	require.NoError(t, err)
	_, err = s.db.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, '0999_future.sql', '')`)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	_, err = Open(ctx, path)
	require.ErrorContains(t, err, "database schema version 999 is newer than this server knows")
}

func TestAuditIsAppendOnly(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "xiuhua.db"))
	require.NoError(t, err)
	defer s.Close()
	_, _, err = s.SaveReport(ctx, storetest.Report("e1"), func(ctx context.Context, tx store.CaseTx, r *store.Report) (string, error) {
		return tx.OpenCase(ctx, store.NewCase{Status: "pending_review", ViolationType: r.ViolationType, CameraID: r.CameraID})
	})
	require.NoError(t, err)
	for _, q := range []string{`UPDATE case_audit SET comment = 'x'`, `DELETE FROM case_audit`} {
		_, err := s.db.Exec(q)
		require.ErrorContains(t, err, "case_audit is append-only", q)
	}
}

// TestCountsFollowUpdates: the statistics' triggers follow changes of
// type, grid cell and creation time made outside the store's methods.
func TestCountsFollowUpdates(t *testing.T) {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "xiuhua.db"))
	require.NoError(t, err)
	defer s.Close()
	storetest.CountsFollowUpdates(t, s, func(q string) {
		_, err := s.db.Exec(q)
		require.NoError(t, err, q)
	}, func(at time.Time) string { return "'" + formatTime(at) + "'" })
}

// TestNumbersBackfilled: migration 0019 numbers the cases already there.
func TestNumbersBackfilled(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "xiuhua.db")
	ms, err := loadMigrations()
	require.NoError(t, err)
	i := slices.IndexFunc(ms, func(m sqlstore.Migration) bool { return strings.HasSuffix(m.Name, "_numbers_stage_times.sql") })
	require.Positive(t, i)
	// A file migrated up to the schema before numbers.
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	require.NoError(t, migrateThese(ctx, db, ms[:i]))
	insert := func(id string, at time.Time) {
		_, err := db.ExecContext(ctx, `INSERT INTO cases (id, status, violation_type, device_id, camera_id,
			first_seen, last_seen, created_at, updated_at, status_since) VALUES (?, 'filed', 'x', 'd', 'c', ?, ?, ?, ?, ?)`,
			id, formatTime(at), formatTime(at), formatTime(at), formatTime(at), formatTime(at))
		require.NoError(t, err)
	}
	storetest.NumbersBackfilled(t, insert, func() store.Store {
		require.NoError(t, db.Close())
		s, err := Open(ctx, path)
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		return s
	})
}

// BenchmarkCaseFigures: a year of 50,000 cases (docs/statistics.md quotes
// the numbers).
func BenchmarkCaseFigures(b *testing.B) {
	s, err := Open(context.Background(), filepath.Join(b.TempDir(), "xiuhua.db"))
	require.NoError(b, err)
	defer s.Close()
	storetest.SeedFigures(b, 50000, true, func(q string) {
		_, err := s.db.Exec(q)
		require.NoError(b, err)
	}, func(at time.Time) string { return "'" + formatTime(at) + "'" })
	_, err = s.db.Exec("ANALYZE")
	require.NoError(b, err)
	storetest.BenchCaseFigures(b, s)
}

// TestFiguresMatchTrail: the trigger keeps case_stage_times equal to what
// the audit trail says, and so does migration 0019's fill of a database
// that had trails before it.
func TestFiguresMatchTrail(t *testing.T) {
	ctx := context.Background()
	seed := func(db *sql.DB) {
		storetest.SeedFigures(t, 3000, true, func(q string) {
			_, err := db.Exec(q)
			require.NoError(t, err)
		}, func(at time.Time) string { return "'" + formatTime(at) + "'" })
	}
	s, err := Open(ctx, filepath.Join(t.TempDir(), "xiuhua.db"))
	require.NoError(t, err)
	defer s.Close()
	seed(s.db)
	storetest.FiguresMatchTrail(t, s, s.CaseFiguresFromTrail)

	path := filepath.Join(t.TempDir(), "xiuhua.db")
	ms, err := loadMigrations()
	require.NoError(t, err)
	i := slices.IndexFunc(ms, func(m sqlstore.Migration) bool { return strings.HasSuffix(m.Name, "_numbers_stage_times.sql") })
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	require.NoError(t, migrateThese(ctx, db, ms[:i]))
	storetest.SeedFigures(t, 3000, false, func(q string) {
		_, err := db.Exec(q)
		require.NoError(t, err)
	}, func(at time.Time) string { return "'" + formatTime(at) + "'" })
	require.NoError(t, db.Close())
	s2, err := Open(ctx, path)
	require.NoError(t, err)
	defer s2.Close()
	storetest.FiguresMatchTrail(t, s2, s2.CaseFiguresFromTrail)
}
