package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// prepareDatabase makes the benchmark database ready for Open: with
// -reuse, a database seeded with the same numbers is kept (seeded true);
// anything else is dropped and created empty.
func prepareDatabase(ctx context.Context, o casesOptions) (seeded bool, err error) {
	if o.reuse {
		ok, err := seededAlike(ctx, o)
		if err != nil {
			return false, err
		}
		if ok {
			fmt.Printf("  reusing database %s\n", o.dbName)
			return true, nil
		}
	}
	conn, err := pgx.Connect(ctx, o.pgDSN)
	if err != nil {
		return false, fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(ctx)
	name := pgx.Identifier{o.dbName}.Sanitize()
	for _, q := range []string{"DROP DATABASE IF EXISTS " + name + " WITH (FORCE)", "CREATE DATABASE " + name} {
		if _, err := conn.Exec(ctx, q); err != nil {
			return false, fmt.Errorf("%s: %w", q, err)
		}
	}
	return false, nil
}

// seededAlike reports whether the database exists and a finished seed with
// o's numbers is in it.
func seededAlike(ctx context.Context, o casesOptions) (bool, error) {
	dsn, err := databaseDSN(o.pgDSN, o.dbName)
	if err != nil {
		return false, err
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		// Most likely no such database yet: seed one.
		return false, nil
	}
	defer conn.Close(ctx)
	var n int
	var seed, cells, units int64
	err = conn.QueryRow(ctx, `SELECT cases, seed, cells, units FROM bench_seed`).Scan(&n, &seed, &cells, &units)
	if err != nil {
		return false, nil
	}
	return n == o.cases && uint64(seed) == o.seed && int(cells) == o.cells && int(units) == o.units, nil
}

func dropDatabase(ctx context.Context, o casesOptions) {
	conn, err := pgx.Connect(ctx, o.pgDSN)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench cases: drop database:", err)
		return
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{o.dbName}.Sanitize()+" WITH (FORCE)"); err != nil {
		fmt.Fprintln(os.Stderr, "bench cases: drop database:", err)
	}
}

// seed makes the year and writes it, then vacuums and analyses as
// autovacuum would after such a load, so that plans and index-only scans
// see what a database that grew over the year would show.
func seed(ctx context.Context, dsn string, o casesOptions, c *city, rng *rand.Rand) error {
	start := time.Now()
	times := caseTimes(rng, o.cases)
	ids := caseIDs(times)
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return fmt.Errorf("seed: connect: %w", err)
	}
	defer conn.Close(ctx)
	if err := seedYear(ctx, conn, c, o.seed, times, ids); err != nil {
		return err
	}
	vac := time.Now()
	if _, err := conn.Exec(ctx, "VACUUM (ANALYZE)"); err != nil {
		return fmt.Errorf("seed: vacuum: %w", err)
	}
	fmt.Printf("  vacuum analyze: %s; seeding took %s\n", time.Since(vac).Round(time.Second), time.Since(start).Round(time.Second))
	return nil
}

// analyze does what autovacuum does soon after a migration filled a table
// or a seed the database: it gives the planner the tables' statistics.
func analyze(ctx context.Context, dsn string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "ANALYZE"); err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	return nil
}

// describeDatabase prints the table sizes.
func describeDatabase(ctx context.Context, dsn string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return fmt.Errorf("describe: %w", err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT relname, reltuples::bigint, pg_size_pretty(pg_total_relation_size(oid))
		FROM pg_class WHERE relname IN ('cases', 'reports', 'evidence', 'case_audit') ORDER BY relname`)
	if err != nil {
		return fmt.Errorf("describe: %w", err)
	}
	var parts []string
	for rows.Next() {
		var name, size string
		var n int64
		if err := rows.Scan(&name, &n, &size); err != nil {
			return fmt.Errorf("describe: %w", err)
		}
		parts = append(parts, fmt.Sprintf("%s %d rows (%s with indexes)", name, n, size))
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("describe: %w", err)
	}
	fmt.Printf("  %s\n", strings.Join(parts, "; "))
	return nil
}

// loadAverage is /proc/loadavg's first three numbers, "?" where there is
// none.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
