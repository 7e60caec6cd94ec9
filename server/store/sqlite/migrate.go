package sqlite

import (
	"context"
	"database/sql"
	"embed"

	"github.com/xiuhua/xiuhua/server/store/sqlstore"
)

// migrations are SQLite's own, not the PostgreSQL files: the dialects
// differ. sqlstore.LoadMigrations says how they are named and applied.
//
//go:embed migrations/*.sql
var migrationFS embed.FS

func loadMigrations() ([]sqlstore.Migration, error) { return sqlstore.LoadMigrations(migrationFS) }

// migrate brings the schema up to date. One database file has one server,
// so nothing else runs migrations at the same time.
func migrate(ctx context.Context, db *sql.DB) error {
	ms, err := loadMigrations()
	if err != nil {
		return err
	}
	return migrateThese(ctx, db, ms)
}

// migrateThese applies ms (tests stop short of the last ones).
func migrateThese(ctx context.Context, db *sql.DB, ms []sqlstore.Migration) error {
	return sqlstore.Migrate(ctx, sqlDB{sqlQ{db}, db}, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TEXT NOT NULL
	) STRICT`, ms)
}
