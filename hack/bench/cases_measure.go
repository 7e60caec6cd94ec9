package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/xiuhua/xiuhua/server/auth"
	"github.com/xiuhua/xiuhua/server/blob"
	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/grid"
	"github.com/xiuhua/xiuhua/server/store"
	"github.com/xiuhua/xiuhua/server/store/postgres"
	"github.com/xiuhua/xiuhua/server/web"
)

// benchRequest is one kind of request, its path made afresh for each run
// so that runs spread over units, cells, months and cases; or, with call
// set, a call of the store itself.
type benchRequest struct {
	name string
	path func(i int) string
	call func(ctx context.Context, i int) error
}

// measureReads times each request kind through the server's HTTP handler as an
// admin's API token would call it, after a few untimed warm-up calls.
func measureReads(ctx context.Context, st *postgres.Store, dsn string, c *city, o casesOptions) error {
	dir, err := os.MkdirTemp("", "bench-cases-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	h, token, err := benchHandler(ctx, st, c, dir)
	if err != nil {
		return err
	}
	defer h.Close()
	reqs, err := benchRequests(ctx, st, dsn, c)
	if err != nil {
		return err
	}
	if o.prof != "" {
		f, err := os.Create(o.prof)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	fmt.Printf("\n%-44s %8s %8s %8s %8s %9s\n", "request", "p50 ms", "p95 ms", "max ms", "CPU ms", "KB")
	for _, r := range reqs {
		if !strings.Contains(r.name, o.only) {
			continue
		}
		var times []time.Duration
		var size int
		// processCPU (ingest.go) is the server's own share of a request,
		// which the machine's load does not stretch as it stretches the
		// wall time; PostgreSQL's share is not in it.
		var cpu time.Duration
		for i := -3; i < o.runs; i++ {
			cpu0 := processCPU()
			start := time.Now()
			n, err := runRequest(ctx, h, token, r, i+3)
			d := time.Since(start)
			if err != nil {
				return fmt.Errorf("%s: %w", r.name, err)
			}
			if i >= 0 {
				times = append(times, d)
				size += n
				cpu += processCPU() - cpu0
			}
		}
		slices.Sort(times)
		kb := "-"
		if size > 0 {
			kb = fmt.Sprintf("%.1f", float64(size)/float64(len(times))/1024)
		}
		fmt.Printf("%-44s %8.1f %8.1f %8.1f %8.1f %9s\n", r.name, ms(quantile(times, 0.5)), ms(quantile(times, 0.95)),
			ms(times[len(times)-1]), ms(cpu/time.Duration(len(times))), kb)
	}
	fmt.Printf("\nload average after: %s\n", loadAverage())
	return nil
}

// runRequest makes request r's run i and returns the size of the answer
// (0 for a store call).
func runRequest(ctx context.Context, h http.Handler, token string, r benchRequest, i int) (int, error) {
	if r.call != nil {
		return 0, r.call(ctx, i)
	}
	path := r.path(i)
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(w.Body, 300))
		return 0, fmt.Errorf("GET %s: %d %s", path, w.Code, body)
	}
	return w.Body.Len(), nil
}

// benchHandler is the officers' HTTP side on the store, as the server
// wires it, and an admin API token. Evidence would go to dir; the
// benchmark reads none.
func benchHandler(ctx context.Context, st *postgres.Store, c *city, dir string) (*web.Handler, string, error) {
	a := auth.New(auth.Options{Store: st, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	token, err := a.AddAPIToken(ctx, "bench-cases", cases.RoleAdmin, "bench")
	if err != nil {
		return nil, "", fmt.Errorf("api token: %w", err)
	}
	blobs, err := blob.NewFolder(dir)
	if err != nil {
		return nil, "", err
	}
	cfg := cases.DefaultConfig()
	cfg.Grid = grid.Locator(c.grid)
	h := web.New(web.Options{Auth: a, Store: st, Blobs: blobs, Cases: cases.New(st, cfg), Grid: c.grid,
		Gatherer: prometheus.NewRegistry(), Location: cst, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: func() time.Time { return yearEnd }})
	return h, token, nil
}

// benchRequests are the officers' usual reads. Cases to open and a cursor
// deep into the year are sampled from the database.
func benchRequests(ctx context.Context, st *postgres.Store, dsn string, c *city) ([]benchRequest, error) {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("sample cases: %w", err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT id FROM cases TABLESAMPLE SYSTEM (1) REPEATABLE (17) LIMIT 500`)
	if err != nil {
		return nil, fmt.Errorf("sample cases: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(ids) == 0 {
		return nil, fmt.Errorf("sample cases: %d found: %w", len(ids), err)
	}
	pick := func(xs []string, i int) string { return xs[i%len(xs)] }
	statuses := cases.Statuses
	var units, cells []string
	for _, cell := range c.cells {
		cells = append(cells, cell.code)
	}
	units = c.units
	month := func(i int) (string, string) {
		m := yearStart.AddDate(0, i%12, 0)
		return m.Format(time.RFC3339), m.AddDate(0, 1, 0).Format(time.RFC3339)
	}
	day := func(i int) (string, string) {
		m := yearStart.AddDate(0, i%12, 0)
		return m.Format("2006-01-02"), m.AddDate(0, 1, -1).Format("2006-01-02")
	}
	q := func(path string, kv ...string) string {
		v := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return path + "?" + v.Encode()
	}
	return []benchRequest{
		{name: "queue: newest first", path: func(int) string { return "/api/v1/cases" }},
		{name: "queue: by status", path: func(i int) string { return q("/api/v1/cases", "status", pick(statuses, i)) }},
		{name: "queue: by type and status", path: func(i int) string {
			return q("/api/v1/cases", "type", pick(seedTypes, i), "status", pick(statuses, i/4))
		}},
		{name: "queue: by unit", path: func(i int) string { return q("/api/v1/cases", "unit", pick(units, i)) }},
		{name: "queue: by grid cell", path: func(i int) string { return q("/api/v1/cases", "grid", pick(cells, i*37)) }},
		{name: "queue: by month", path: func(i int) string { f, t := month(i); return q("/api/v1/cases", "from", f, "to", t) }},
		{name: "queue: unit, status and month", path: func(i int) string {
			f, t := month(i)
			return q("/api/v1/cases", "unit", pick(units, i), "status", pick(statuses, i/3), "from", f, "to", t)
		}},
		{name: "queue: a handler's cases", path: func(i int) string {
			return q("/api/v1/cases", "assignee", fmt.Sprintf("handler-%02d-%d", 1+i%len(units), 1+i%5))
		}},
		{name: "queue: a page deep in the year (cursor)", path: func(i int) string {
			return q("/api/v1/cases", "cursor", base64.RawURLEncoding.EncodeToString([]byte(pick(ids, i))))
		}},
		{name: "queue page (HTML, 100 cases), by status", path: func(i int) string { return q("/", "status", pick(statuses, i)) }},
		{name: "case (API)", path: func(i int) string { return "/api/v1/cases/" + pick(ids, i*13) }},
		{name: "case page (HTML)", path: func(i int) string { return "/cases/" + pick(ids, i*17) }},
		{name: "map page (HTML, counts + newest 300)", path: func(int) string { return "/map" }},
		{name: "map's queries (store, counts + 300)", call: func(ctx context.Context, _ int) error {
			// What the map page asks (web.mapPage).
			var open []string
			for _, s := range statuses {
				if cases.Open(s) {
					open = append(open, s)
				}
			}
			if _, err := st.CountByCell(ctx, open); err != nil {
				return err
			}
			_, err := st.ListCases(ctx, store.CaseFilter{Statuses: open, Limit: 300, NoThumbnails: true})
			return err
		}},
		{name: "statistics: a month (API)", path: func(i int) string { f, t := month(i); return q("/api/v1/stats", "from", f, "to", t) }},
		{name: "statistics: the year (API)", path: func(int) string {
			return q("/api/v1/stats", "from", yearStart.Format(time.RFC3339), "to", yearEnd.Format(time.RFC3339))
		}},
		{name: "statistics page (HTML): a month", path: func(i int) string { f, t := day(i); return q("/stats", "from", f, "to", t) }},
	}, nil
}

// quantile is the q-quantile of sorted d, the nearest rank.
func quantile(d []time.Duration, q float64) time.Duration {
	i := int(math.Ceil(q*float64(len(d)))) - 1
	return d[min(max(i, 0), len(d)-1)]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
