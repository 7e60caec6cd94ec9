package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/xiuhua/xiuhua/server/store/sqlstore"
)

// sqlConn is what *sql.DB and *sql.Tx share.
type sqlConn interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// sqlQ adapts database/sql to sqlstore.Querier. It turns times into the
// fixed-width text the schema stores (a zero *time.Time into NULL) and back:
// NULL and ” scan as the zero time, or as a nil *time.Time.
type sqlQ struct{ c sqlConn }

func (q sqlQ) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := q.c.ExecContext(ctx, query, timeArgs(args)...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (q sqlQ) Query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	rows, err := q.c.QueryContext(ctx, query, timeArgs(args)...)
	if err != nil {
		return nil, err
	}
	return sqlRows{rows}, nil
}

func (q sqlQ) QueryRow(ctx context.Context, query string, args ...any) sqlstore.Row {
	return sqlRow{q.c.QueryRowContext(ctx, query, timeArgs(args)...)}
}

// sqlDB adds transactions. The DSN's _txlock=immediate makes every
// read-write transaction BEGIN IMMEDIATE, so that writers queue on
// busy_timeout instead of failing when they upgrade a read lock.
type sqlDB struct {
	sqlQ
	db *sql.DB
}

func (d sqlDB) InTx(ctx context.Context, fn func(sqlstore.Querier) error) error {
	return d.inTx(ctx, nil, fn)
}

func (d sqlDB) InReadTx(ctx context.Context, fn func(sqlstore.Querier) error) error {
	return d.inTx(ctx, &sql.TxOptions{ReadOnly: true}, fn)
}

func (d sqlDB) inTx(ctx context.Context, opts *sql.TxOptions, fn func(sqlstore.Querier) error) error {
	tx, err := d.db.BeginTx(ctx, opts)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(sqlQ{tx}); err != nil {
		return err
	}
	return tx.Commit()
}

type sqlRow struct{ r *sql.Row }

func (r sqlRow) Scan(dest ...any) error {
	return scanTimes(dest, func(d ...any) error {
		err := r.r.Scan(d...)
		if errors.Is(err, sql.ErrNoRows) {
			return sqlstore.ErrNoRows
		}
		return err
	})
}

type sqlRows struct{ *sql.Rows }

func (r sqlRows) Scan(dest ...any) error { return scanTimes(dest, r.Rows.Scan) }
func (r sqlRows) Close()                 { r.Rows.Close() }

// timeArgs formats the time arguments as the schema stores them, in a copy:
// the caller's slice is left alone.
func timeArgs(args []any) []any {
	out := args
	for i, a := range args {
		var v any
		switch t := a.(type) {
		case time.Time:
			v = formatTime(t)
		case *time.Time:
			if t != nil {
				v = formatTime(*t)
			}
		default:
			continue
		}
		if &out[0] == &args[0] {
			out = append([]any(nil), args...)
		}
		out[i] = v
	}
	return out
}

// scanTimes scans the time destinations as text and parses them.
func scanTimes(dest []any, scan func(...any) error) error {
	var (
		texts map[int]*sql.NullString
		into  = dest
	)
	for i, d := range dest {
		switch d.(type) {
		case *time.Time, **time.Time:
			if texts == nil {
				texts = map[int]*sql.NullString{}
				into = append([]any(nil), dest...)
			}
			texts[i] = &sql.NullString{}
			into[i] = texts[i]
		}
	}
	if err := scan(into...); err != nil || texts == nil {
		return err
	}
	for i, s := range texts {
		var t time.Time
		if s.Valid && s.String != "" {
			var err error
			if t, err = parseTime(s.String); err != nil {
				return err
			}
		}
		switch d := dest[i].(type) {
		case *time.Time:
			*d = t
		case **time.Time:
			*d = nil
			if !t.IsZero() {
				*d = &t
			}
		}
	}
	return nil
}
