// Package sqlite is the default store: one SQLite file in the data folder,
// through the pure-Go modernc.org/sqlite driver (no cgo).
//
// Every connection runs in WAL mode with synchronous=FULL, so a committed
// transaction is on disk when Commit returns: an acknowledgement to an edge
// box means the report survives a power cut. Write transactions begin
// IMMEDIATE, so that concurrent writers queue on busy_timeout instead of
// failing when they upgrade a read lock.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"time"

	sqlite3 "modernc.org/sqlite"
	sqlite3lib "modernc.org/sqlite/lib"

	"github.com/xiuhua/xiuhua/server/store"
	"github.com/xiuhua/xiuhua/server/store/caseid"
	"github.com/xiuhua/xiuhua/server/store/sqlstore"
)

// Store is a store.Store on one SQLite file.
type Store struct {
	// The queries SQLite shares with PostgreSQL; the methods here are
	// SQLite's own.
	*sqlstore.Store
	db  *sql.DB
	q   sqlQ
	ids *caseid.Gen
	// numberZone's days number the cases (casenum).
	numberZone *time.Location
}

var _ store.Store = (*Store)(nil)

// busyTimeout is how long a writer waits for another one.
const busyTimeout = 10 * time.Second

// Open opens or creates the database at path and brings its schema up to date.
func Open(ctx context.Context, path string, opts ...store.Option) (*Store, error) {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Set("_txlock", "immediate")
	dsn := (&url.URL{Scheme: "file", Opaque: path, RawQuery: q.Encode()}).String()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	// Connections are cheap and each holds its own page cache; a few are
	// plenty for one server, and writers queue on busy_timeout anyway.
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	return &Store{Store: sqlstore.New(sqlDB{sqlQ{db}, db}, "sqlite", dialect), db: db, q: sqlQ{db}, ids: caseid.NewGen(),
		numberZone: store.ApplyOptions(opts).NumberZone}, nil
}

// dialect: SQLite's date() shifts its text times by a modifier.
var dialect = sqlstore.Dialect{
	Day: func(col string, offsetSeconds int64) string {
		return fmt.Sprintf("date(%s, '%+d seconds')", col, offsetSeconds)
	},
	// julianday reads the fixed-width text times (to the millisecond,
	// plenty for stage times of minutes and hours).
	Seconds: func(a, b string) string {
		return "((julianday(" + b + ") - julianday(" + a + ")) * 86400.0)"
	},
	Epoch: func(col string) string {
		return "CAST(strftime('%s', " + col + ") AS INTEGER)"
	},
	IsUnique: isUnique,
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return s.db.QueryRowContext(ctx, `SELECT 1`).Scan(&one)
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// timeFormat is RFC 3339 with a fixed number of fraction digits, so that
// times sort correctly as text.
const timeFormat = "2006-01-02T15:04:05.000000000Z07:00"

func formatTime(t time.Time) string { return t.UTC().Format(timeFormat) }

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("sqlite: bad time %q in database: %w", s, err)
	}
	return t, nil
}

// nullTime stores the zero time as NULL.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return formatTime(t)
}

func isUniqueViolation(err error) bool {
	var e *sqlite3.Error
	return errors.As(err, &e) && (e.Code() == sqlite3lib.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3lib.SQLITE_CONSTRAINT_PRIMARYKEY)
}
