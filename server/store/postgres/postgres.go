// Package postgres is the store for several server replicas sharing one
// PostgreSQL database, through pgx/v5 and its pool.
//
// Nothing is kept in the process: case ids carry their own randomness, and
// every decision that two replicas could race on is settled by the database
// (a UNIQUE event id with INSERT ... ON CONFLICT for reports, a version
// column for transitions).
package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/xiuhua/xiuhua/server/store"
	"github.com/xiuhua/xiuhua/server/store/caseid"
	"github.com/xiuhua/xiuhua/server/store/sqlstore"
)

// Store is a store.Store on a PostgreSQL database.
type Store struct {
	// The queries PostgreSQL shares with SQLite; the methods here are
	// PostgreSQL's own.
	*sqlstore.Store
	pool *pgxpool.Pool
	q    pgQ
	ids  *caseid.Gen
	// numberZone's days number the cases (casenum).
	numberZone *time.Location
}

var _ store.Store = (*Store)(nil)

// Open connects to the database at dsn (a postgres:// URL or key=value
// string; pool_max_conns and search_path may be set in it) and brings its
// schema up to date. Several processes may Open the same database at once:
// migrations run under an advisory lock.
func Open(ctx context.Context, dsn string, opts ...store.Option) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// The DSN may hold a password: do not repeat it.
		return nil, fmt.Errorf("postgres: bad connection string: %w", errors.Unwrap(err))
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect %s:%d/%s: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database, err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect %s:%d/%s: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database, err)
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return &Store{Store: sqlstore.New(pgDB{pgQ{pool}, pool.BeginTx}, "postgres", dialect), pool: pool, q: pgQ{pool},
		ids: caseid.NewGen(), numberZone: store.ApplyOptions(opts).NumberZone}, nil
}

// dialect: the day of a timestamptz in UTC, shifted by an interval.
var dialect = sqlstore.Dialect{
	Day: func(col string, offsetSeconds int64) string {
		return "to_char((" + col + " AT TIME ZONE 'UTC') + make_interval(secs => " +
			strconv.FormatInt(offsetSeconds, 10) + "), 'YYYY-MM-DD')"
	},
	Seconds: func(a, b string) string {
		return "CAST(EXTRACT(EPOCH FROM (" + b + " - " + a + ")) AS DOUBLE PRECISION)"
	},
	// JIT compiling the figures' statement (a case's row through a few
	// dozen CASE expressions) took about a second on a year's figures when
	// they walked the audit trail, longer than running it; reading
	// case_stage_times the cost is lower, but a larger city crosses the
	// threshold again (docs/statistics.md).
	FiguresSetup: "SET LOCAL jit = off",
	Epoch: func(col string) string {
		return "CAST(FLOOR(EXTRACT(EPOCH FROM " + col + ")) AS BIGINT)"
	},
	IsUnique: isUniqueViolation,
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

// Close closes the pool.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// utc gives times from the database one location, so that they compare
// and print alike whatever the session time zone.
func utc(t time.Time) time.Time { return t.UTC() }

// nullTime stores the zero time as NULL.
func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func isUniqueViolation(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23505"
}
