package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/xiuhua/xiuhua/server/store/sqlstore"
)

// pgConn is what the pool, one connection and a transaction share.
type pgConn interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Begin(ctx context.Context) (pgx.Tx, error)
}

// pgQ adapts pgx to sqlstore.Querier. Times scanned from timestamptz
// come back in UTC, so that they compare and print alike whatever the
// session time zone.
type pgQ struct{ c pgConn }

func (q pgQ) Exec(ctx context.Context, sql string, args ...any) (int64, error) {
	tag, err := q.c.Exec(ctx, sql, args...)
	return tag.RowsAffected(), err
}

func (q pgQ) Query(ctx context.Context, sql string, args ...any) (sqlstore.Rows, error) {
	rows, err := q.c.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return pgRows{rows}, nil
}

func (q pgQ) QueryRow(ctx context.Context, sql string, args ...any) sqlstore.Row {
	return pgRow{q.c.QueryRow(ctx, sql, args...)}
}

// pgDB adds transactions: READ COMMITTED for writers, which settle
// races with row locks, ON CONFLICT and version columns; REPEATABLE READ
// for readers that want one snapshot.
type pgDB struct {
	pgQ
	begin func(ctx context.Context, opts pgx.TxOptions) (pgx.Tx, error)
}

func (d pgDB) InTx(ctx context.Context, fn func(sqlstore.Querier) error) error {
	return d.inTx(ctx, pgx.TxOptions{}, fn)
}

func (d pgDB) InReadTx(ctx context.Context, fn func(sqlstore.Querier) error) error {
	return d.inTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, fn)
}

func (d pgDB) inTx(ctx context.Context, opts pgx.TxOptions, fn func(sqlstore.Querier) error) error {
	tx, err := d.begin(ctx, opts)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if err := fn(pgQ{tx}); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

type pgRow struct{ r pgx.Row }

func (r pgRow) Scan(dest ...any) error {
	err := r.r.Scan(dest...)
	if errors.Is(err, pgx.ErrNoRows) {
		return sqlstore.ErrNoRows
	}
	if err == nil {
		utcTimes(dest)
	}
	return err
}

type pgRows struct{ pgx.Rows }

func (r pgRows) Scan(dest ...any) error {
	err := r.Rows.Scan(dest...)
	if err == nil {
		utcTimes(dest)
	}
	return err
}

func utcTimes(dest []any) {
	for _, d := range dest {
		switch t := d.(type) {
		case *time.Time:
			*t = t.UTC()
		case **time.Time:
			if *t != nil {
				**t = (*t).UTC()
			}
		}
	}
}
