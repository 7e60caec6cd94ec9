package sqlstore

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Migration is one schema change: a file NNNN_name.sql whose number is its
// version. Migrations are applied in order, each in its own transaction,
// and recorded in schema_migrations. A shipped migration is never edited:
// add a new one.
type Migration struct {
	Version int
	Name    string // the file name
	SQL     string
}

// LoadMigrations reads fsys's migrations/*.sql. Their numbers must run 1, 2,
// 3 without gaps, so that a missing file is found here and not in a
// half-migrated database.
func LoadMigrations(fsys fs.FS) ([]Migration, error) {
	files, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []Migration
	for _, f := range files {
		base := path.Base(f)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v < 1 {
			return nil, fmt.Errorf("migration %s: name must start with a number and _", base)
		}
		body, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: base, SQL: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration %s: expected number %d: numbers must run 1, 2, 3 without gaps", m.Name, i+1)
		}
	}
	return ms, nil
}

// Migrate brings db's schema up to date: it creates schema_migrations with
// createTable (the dialects' DDL differs), applies each of ms not yet
// recorded, and refuses a database made by a newer server, whose schema
// this one does not know. Whoever calls it keeps other processes out while
// it runs (PostgreSQL: an advisory lock; SQLite: one file, one server).
func Migrate(ctx context.Context, db DB, createTable string, ms []Migration) error {
	if _, err := db.Exec(ctx, createTable); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	for _, m := range ms {
		if err := db.InTx(ctx, func(tx Querier) error { return apply(ctx, tx, m) }); err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
	}
	var newest int
	if err := db.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&newest); err != nil {
		return err
	}
	if newest > len(ms) {
		return fmt.Errorf("database schema version %d is newer than this server knows (%d): run a newer server", newest, len(ms))
	}
	return nil
}

func apply(ctx context.Context, tx Querier, m Migration) error {
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = $1`, m.Version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	// No arguments: both drivers then run several statements at once.
	if _, err := tx.Exec(ctx, m.SQL); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
		m.Version, m.Name, time.Now())
	return err
}
