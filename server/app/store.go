package app

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/xiuhua/xiuhua/server/config"
	"github.com/xiuhua/xiuhua/server/store"
	"github.com/xiuhua/xiuhua/server/store/postgres"
	"github.com/xiuhua/xiuhua/server/store/sqlite"
)

// openStore opens the database cfg names. cfg has been validated.
func openStore(ctx context.Context, cfg config.Config) (store.Store, error) {
	switch cfg.Store.Driver {
	case config.DriverPostgres:
		return postgres.Open(ctx, cfg.Store.DSN, store.WithNumberZone(cfg.Web.Location()))
	case config.DriverSQLite:
		path := cfg.Store.DSN
		if path == "" {
			path = filepath.Join(cfg.DataDir, DBFile)
		}
		return sqlite.Open(ctx, path, store.WithNumberZone(cfg.Web.Location()))
	default:
		return nil, fmt.Errorf("store.driver: unknown driver %q", cfg.Store.Driver)
	}
}
