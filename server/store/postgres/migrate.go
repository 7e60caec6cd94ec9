package postgres

import (
	"context"
	"embed"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/xiuhua/xiuhua/server/store/sqlstore"
)

// migrations are PostgreSQL's own, not the SQLite files: the dialects
// differ. sqlstore.LoadMigrations says how they are named and applied.
//
//go:embed migrations/*.sql
var migrationFS embed.FS

func loadMigrations() ([]sqlstore.Migration, error) { return sqlstore.LoadMigrations(migrationFS) }

// migrate brings the schema up to date. Replicas starting together queue
// on an advisory lock keyed by the schema, so one migrates and the others
// find it done. The lock belongs to a session: everything runs on the one
// connection that holds it.
func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	ms, err := loadMigrations()
	if err != nil {
		return err
	}
	return migrateThese(ctx, pool, ms)
}

// migrateThese applies ms (tests stop short of the last ones).
func migrateThese(ctx context.Context, pool *pgxpool.Pool, ms []sqlstore.Migration) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(hashtext('xiuhua_migrate:' || current_schema()))`); err != nil {
		return fmt.Errorf("migrate: lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(hashtext('xiuhua_migrate:' || current_schema()))`)

	return sqlstore.Migrate(ctx, pgDB{pgQ{conn}, conn.BeginTx}, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer PRIMARY KEY,
		name       text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now()
	)`, ms)
}
