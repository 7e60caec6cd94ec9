package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/xiuhua/xiuhua/server/store/postgres"
)

// casesOptions are the flags of `bench cases`.
type casesOptions struct {
	pgDSN  string // a database to connect to for CREATE DATABASE
	dbName string
	cases  int
	cells  int
	units  int
	runs   int
	seed   uint64
	reuse  bool
	only   string // run only the requests whose names hold it
	prof   string // CPU profile of the timed requests
}

// runCases measures the officers' reads on a city's year of cases in
// PostgreSQL: it creates its own database, seeds it (or reuses the one a
// previous -reuse run kept), and times the real HTTP handlers on the real
// store: the queue with typical filters, a case, the map and the
// statistics. It prints p50 and p95 of each.
func runCases(args []string) int {
	o, err := parseCasesFlags(args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(os.Stderr, "bench cases:", err)
		return 2
	}
	ctx := context.Background()
	if err := benchCases(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "bench cases:", err)
		return 1
	}
	return 0
}

func parseCasesFlags(args []string) (casesOptions, error) {
	fs := flag.NewFlagSet("bench cases", flag.ContinueOnError)
	o := casesOptions{}
	fs.StringVar(&o.pgDSN, "pg", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable",
		"PostgreSQL server to create the benchmark database on (a connection string to any database there)")
	fs.StringVar(&o.dbName, "db", "xiuhua_bench_cases", "the benchmark's own database: dropped and created (see -reuse)")
	fs.IntVar(&o.cases, "cases", 1_000_000, "cases in the year")
	fs.IntVar(&o.cells, "cells", 300, "grid cells")
	fs.IntVar(&o.units, "units", 40, "units responsible for the cells")
	fs.IntVar(&o.runs, "runs", 30, "timed requests of each kind")
	fs.Uint64Var(&o.seed, "seed", 17, "random seed of the year")
	fs.BoolVar(&o.reuse, "reuse", false, "use the database a previous -reuse run seeded with the same -cases, -cells, -units "+
		"and -seed (new migrations are applied to it), and keep it afterwards; without it the database is dropped at the end")
	fs.StringVar(&o.only, "only", "", "time only the requests whose names contain this text")
	fs.StringVar(&o.prof, "cpuprofile", "", "write a CPU profile of the timed requests here")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	case o.cases < 1 || o.cells < 1 || o.units < 1 || o.units > o.cells || o.runs < 1:
		return o, fmt.Errorf("-cases, -cells, -runs: at least 1; -units: 1 to -cells")
	}
	if strings.ContainsAny(o.dbName, `"`) || o.dbName == "" {
		return o, fmt.Errorf("-db: invalid value %q: allowed: a database name without quotes", o.dbName)
	}
	return o, nil
}

func benchCases(ctx context.Context, o casesOptions) error {
	fmt.Printf("bench cases: %d-core machine, %s, load average %s; %d cases over %d grid cells and %d units, %d runs each\n",
		runtime.NumCPU(), runtime.Version(), loadAverage(), o.cases, o.cells, o.units, o.runs)
	rng := rand.New(rand.NewPCG(o.seed, 0))
	c, err := newCity(rng, o.cells, o.units)
	if err != nil {
		return err
	}
	dsn, err := databaseDSN(o.pgDSN, o.dbName)
	if err != nil {
		return err
	}
	seeded, err := prepareDatabase(ctx, o)
	if err != nil {
		return err
	}
	if !o.reuse {
		defer dropDatabase(context.WithoutCancel(ctx), o)
	}
	// Open migrates: a reused database gets migrations added since it was
	// seeded, new indexes included.
	start := time.Now()
	st, err := postgres.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Printf("  migrations: %s\n", time.Since(start).Round(time.Millisecond))
	if !seeded {
		if err := seed(ctx, dsn, o, c, rng); err != nil {
			return err
		}
	}
	if err := analyze(ctx, dsn); err != nil {
		return err
	}
	if err := describeDatabase(ctx, dsn); err != nil {
		return err
	}
	if err := checkStats(ctx, st, dsn); err != nil {
		return err
	}
	return measureReads(ctx, st, dsn, c, o)
}

// databaseDSN is base with its database replaced by name.
func databaseDSN(base, name string) (string, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", fmt.Errorf("-pg: invalid value: allowed: a postgres:// URL")
	}
	u.Path = "/" + name
	return u.String(), nil
}
