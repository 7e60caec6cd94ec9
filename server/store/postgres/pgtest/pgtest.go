// Package pgtest gives each test its own PostgreSQL schema on the test
// database, so that packages running in parallel never see each other's
// rows, and drops it afterwards.
//
// The database is XIUHUA_TEST_POSTGRES, or
// postgres://postgres@127.0.0.1:5432/test. When it does not answer the test
// FAILS, saying so: PostgreSQL is part of the test set-up, like the test
// data, and a skipped test would hide that the backend went untested.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvDSN names the environment variable that overrides DefaultDSN.
const EnvDSN = "XIUHUA_TEST_POSTGRES"

// DefaultDSN is the test database of the development machines and CI.
const DefaultDSN = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// BaseDSN returns the test database's connection string.
func BaseDSN() string {
	if v := os.Getenv(EnvDSN); v != "" {
		return v
	}
	return DefaultDSN
}

// Schema creates a fresh schema and returns a DSN whose search_path is it.
// The schema is dropped when the test ends.
func Schema(t testing.TB) string {
	t.Helper()
	base := BaseDSN()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("PostgreSQL test database unreachable (%v): start PostgreSQL on 127.0.0.1:5432 with a database \"test\" "+
			"that user postgres may use, or set %s to a connection string: %v", redact(base), EnvDSN, err)
	}
	defer conn.Close(ctx)
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "xiuhua_test_" + hex.EncodeToString(b[:])
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("pgtest: create schema %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("pgtest: drop schema %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+pgx.Identifier{name}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("pgtest: drop schema %s: %v", name, err)
		}
	})
	return withSearchPath(t, base, name)
}

func withSearchPath(t testing.TB, base, schema string) string {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		// key=value form.
		return base + " search_path=" + schema
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// redact hides a password in a URL-form DSN.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	return u.Redacted()
}
