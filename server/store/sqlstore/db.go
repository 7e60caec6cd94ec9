// Package sqlstore holds what the sqlite and postgres stores do alike: the
// migration runner, and the queries whose SQL text is the same in both
// dialects, written once against a small Querier that each backend adapts
// its driver to (database/sql for SQLite, pgx for PostgreSQL).
//
// Statements number their parameters $1, $2, …: PostgreSQL's style, which
// SQLite binds by position too.
//
// Times are plain time.Time on this side of the Querier. The adapters keep
// the real difference: SQLite stores them as fixed-width RFC 3339 text (so
// that they sort as text), PostgreSQL as timestamptz. A nullable time is
// scanned into a **time.Time.
//
// What differs between the dialects stays in the backends: how writers
// queue (SQLite's single writer and BEGIN IMMEDIATE, PostgreSQL's row locks
// and advisory locks), and every statement whose text differs.
package sqlstore

import (
	"context"
	"errors"
)

// ErrNoRows is what Row.Scan returns when the query found no row, whichever
// the driver.
var ErrNoRows = errors.New("sqlstore: no rows")

// Row is the one row of QueryRow.
type Row interface {
	// Scan copies the row's columns into dest, or returns ErrNoRows.
	Scan(dest ...any) error
}

// Rows is a query's result, read with Next and Scan; Close may be called
// more than once.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// Querier runs statements on a database or inside one of its transactions.
type Querier interface {
	// Exec runs a statement and returns how many rows it changed.
	Exec(ctx context.Context, query string, args ...any) (rowsAffected int64, err error)
	Query(ctx context.Context, query string, args ...any) (Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) Row
}

// DB is a database: a Querier that also runs transactions. fn's Querier is
// valid only until fn returns; the transaction commits when fn returns nil
// and rolls back otherwise.
type DB interface {
	Querier
	// InTx runs fn in a read-write transaction: BEGIN IMMEDIATE on SQLite,
	// READ COMMITTED on PostgreSQL.
	InTx(ctx context.Context, fn func(q Querier) error) error
	// InReadTx runs fn in a read-only transaction that sees one moment's
	// data: a read transaction on SQLite, REPEATABLE READ on PostgreSQL.
	InReadTx(ctx context.Context, fn func(q Querier) error) error
}

// collect reads all rows with scan and closes them. No rows is a nil slice.
func collect[T any](rows Rows, scan func(Row) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// queryAll runs a query and scans every row with scan.
func queryAll[T any](ctx context.Context, q Querier, scan func(Row) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scan)
}
