package config

import (
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/xiuhua/xiuhua/internal/conf"
)

// Store drivers.
const (
	DriverSQLite   = "sqlite"
	DriverPostgres = "postgres"
)

// Store selects the database.
type Store struct {
	// Driver is sqlite (one file, the default) or postgres (several
	// server replicas share one database).
	Driver string `yaml:"driver"`
	// DSN: for sqlite the database file, empty for <data_dir>/xiuhua.db;
	// for postgres a connection string, e.g.
	// postgres://xiuhua@db:5432/xiuhua?sslmode=verify-full.
	DSN string `yaml:"dsn"`
}

func (s Store) validate(errs *conf.Errors) {
	switch s.Driver {
	case DriverSQLite:
	case DriverPostgres:
		if s.DSN == "" {
			errs.Add("store.dsn", s.DSN, "a PostgreSQL connection string, e.g. postgres://user@host:5432/db")
		} else if _, err := pgconn.ParseConfig(s.DSN); err != nil {
			// The DSN may hold a password: name the problem, not the value.
			errs.Add("store.dsn", "(hidden)", "a PostgreSQL connection string that parses")
		}
	default:
		errs.Add("store.driver", s.Driver, "sqlite, postgres")
	}
}
