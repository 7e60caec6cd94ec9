package main

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/xiuhua/xiuhua/internal/reportsig"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
	"github.com/xiuhua/xiuhua/server/app"
	"github.com/xiuhua/xiuhua/server/config"
	"github.com/xiuhua/xiuhua/server/store"
	"github.com/xiuhua/xiuhua/server/store/postgres"
	"github.com/xiuhua/xiuhua/server/store/sqlite"
)

// loadOptions are the flags of `bench ingest-load`.
type loadOptions struct {
	edges     int
	reports   int
	snapshot  int
	resend    int // every resend-th report is sent twice
	stores    []string
	pgDSN     string
	chunkSize int
	profile   string
	dir       string
}

// runIngestLoad measures the server's report path: many simulated edges,
// each on its own gRPC connection, send signed reports with a snapshot to
// an in-process server over loopback, one report at a time per edge as the
// edge's outbox does. It prints reports/s and the ack latency percentiles
// for each store, then checks exact counts: every acked event is stored
// once, in the case it was acked with, and resent reports are answered as
// duplicates of that case.
func runIngestLoad(args []string) int {
	o, err := parseLoadFlags(args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(os.Stderr, "bench ingest-load:", err)
		return 2
	}
	fmt.Printf("bench ingest-load: %d-core machine, %s; %d edges x %d reports, %d-byte snapshot each, every %dth resent\n",
		runtime.NumCPU(), runtime.Version(), o.edges, o.reports, o.snapshot, o.resend)
	if o.profile != "" {
		f, err := os.Create(o.profile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench ingest-load:", err)
			return 1
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "bench ingest-load:", err)
			return 1
		}
		defer pprof.StopCPUProfile()
	}
	failed := false
	for _, st := range o.stores {
		if err := benchStore(o, st, os.Stdout); err != nil {
			fmt.Fprintf(os.Stderr, "bench ingest-load: %s: %v\n", st, err)
			failed = true
		}
	}
	if failed {
		return 1
	}
	return 0
}

func parseLoadFlags(args []string) (*loadOptions, error) {
	o := &loadOptions{}
	fs := flag.NewFlagSet("bench ingest-load", flag.ContinueOnError)
	fs.IntVar(&o.edges, "edges", 16, "simulated edge boxes, each with its own connection")
	fs.IntVar(&o.reports, "reports", 100, "reports per edge")
	fs.IntVar(&o.snapshot, "snapshot", 100<<10, "snapshot size in bytes")
	fs.IntVar(&o.resend, "resend", 10, "send every Nth report twice (a lost ack); 0: never")
	stores := fs.String("stores", "sqlite,postgres", "stores to measure, comma separated")
	fs.StringVar(&o.pgDSN, "postgres", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable",
		"PostgreSQL database; the bench makes its own schema there and drops it")
	fs.IntVar(&o.chunkSize, "chunk", 64<<10, "evidence chunk size, bytes")
	fs.StringVar(&o.dir, "dir", "", "parent of the server's temporary data folder (default: the system's temp folder)")
	fs.StringVar(&o.profile, "cpuprofile", "", "write a CPU profile of the whole run (server and edges) here")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	for _, s := range strings.Split(*stores, ",") {
		if s = strings.TrimSpace(s); s != config.DriverSQLite && s != config.DriverPostgres {
			return nil, fmt.Errorf("-stores %q: allowed: sqlite, postgres", *stores)
		}
		o.stores = append(o.stores, strings.TrimSpace(s))
	}
	if o.edges < 1 || o.reports < 1 || o.snapshot < 1 || o.chunkSize < 1 || o.resend < 0 {
		return nil, errors.New("-edges, -reports, -snapshot and -chunk must be positive, -resend not negative")
	}
	return o, nil
}

// ack is one answered send.
type ack struct {
	eventID string
	caseID  string
	dup     bool
	latency time.Duration
}

func benchStore(o *loadOptions, driver string, out io.Writer) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp(o.dir, "xiuhua-ingest-load-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfg := config.Default()
	cfg.DataDir = dir
	cfg.HTTP.Listen, cfg.GRPC.Listen = "127.0.0.1:0", "127.0.0.1:0"
	cfg.Log.Level = "warn"
	cfg.Store.Driver = driver
	// The load measures the report path, not the per-device rate limit.
	cfg.Limits.GRPC.ReportsPerMinute = 1_000_000
	if driver == config.DriverPostgres {
		dsn, drop, err := benchSchema(ctx, o.pgDSN)
		if err != nil {
			return err
		}
		defer drop()
		cfg.Store.DSN = dsn
	}
	a, err := app.New(cfg, app.WithLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	if err != nil {
		return err
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- a.Run(runCtx) }()
	stopped := false
	defer func() {
		if !stopped {
			stop()
			<-done
		}
	}()

	_, key, err := ed25519.GenerateKey(nil)
	if err != nil {
		return err
	}
	// Each simulated edge has its device token and pinned key, so that the
	// numbers include the server's token and signature checks on every call.
	tokens := make([]string, o.edges)
	for e := range o.edges {
		if tokens[e], err = a.Auth().AddDeviceWithKey(ctx, fmt.Sprintf("load-edge-%03d", e), nil, key.Public().(ed25519.PublicKey)); err != nil {
			return err
		}
	}
	acks := make([][]ack, o.edges)
	errs := make([]error, o.edges)
	var wg sync.WaitGroup
	// The CPU time of server and edges (not the database) per send: unlike
	// reports/s it depends less on what else the machine runs.
	cpu0 := processCPU()
	start := time.Now()
	for e := range o.edges {
		wg.Go(func() { acks[e], errs[e] = runEdge(ctx, o, a.GRPCAddr(), e, key, tokens[e]) })
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu := processCPU() - cpu0
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	stop()
	if err := <-done; err != nil {
		return fmt.Errorf("server: %w", err)
	}
	stopped = true

	var all []ack
	for _, as := range acks {
		all = append(all, as...)
	}
	lat := make([]time.Duration, len(all))
	for i, a := range all {
		lat[i] = a.latency
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	fmt.Fprintf(out, "%-8s %6d sends (%d reports + %d resends) in %6.2f s: %7.1f reports/s  ack latency p50 %v  p99 %v  max %v  cpu %.2f ms/send\n",
		driver, len(all), o.edges*o.reports, len(all)-o.edges*o.reports, elapsed.Seconds(),
		float64(len(all))/elapsed.Seconds(), pct(0.50).Round(100*time.Microsecond), pct(0.99).Round(100*time.Microsecond),
		lat[len(lat)-1].Round(100*time.Microsecond), float64(cpu.Microseconds())/1000/float64(len(all)))
	return checkCounts(ctx, cfg, all, o, out)
}

// runEdge sends one edge's reports one after another, as an outbox does.
func runEdge(ctx context.Context, o *loadOptions, addr string, edge int, key ed25519.PrivateKey, token string) ([]ack, error) {
	cc, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithPerRPCCredentials(loopbackToken(token)))
	if err != nil {
		return nil, err
	}
	defer cc.Close()
	client := xiuhuav1.NewEdgeServiceClient(cc)
	// Random bytes once per edge, then a per-report stamp at the front:
	// every snapshot is distinct (the store keeps one copy of equal
	// content) without the simulated edges spending the two cores the
	// server is measured on generating them.
	rng := rand.New(rand.NewPCG(uint64(edge), 7))
	snap := make([]byte, o.snapshot)
	for k := 0; k < len(snap); k += 8 {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], rng.Uint64())
		copy(snap[k:], b[:])
	}
	var out []ack
	for i := range o.reports {
		var stamp [16]byte
		binary.BigEndian.PutUint64(stamp[:8], uint64(edge))
		binary.BigEndian.PutUint64(stamp[8:], uint64(i))
		copy(snap, stamp[:])
		rep := loadReport(edge, i, snap)
		if err := reportsig.Sign(key, rep); err != nil {
			return nil, err
		}
		sends := 1
		if o.resend > 0 && i%o.resend == o.resend-1 {
			sends = 2
		}
		for range sends {
			t0 := time.Now()
			resp, err := sendLoadReport(ctx, client, rep, snap, o.chunkSize)
			if err != nil {
				return nil, fmt.Errorf("edge %d report %d: %w", edge, i, err)
			}
			out = append(out, ack{eventID: rep.EventId, caseID: resp.CaseId, dup: resp.Duplicate, latency: time.Since(t0)})
		}
	}
	return out, nil
}

func loadReport(edge, i int, snap []byte) *xiuhuav1.ViolationReport {
	now := time.Now()
	sum := sha256.Sum256(snap)
	return &xiuhuav1.ViolationReport{
		EventId: fmt.Sprintf("load-e%03d-%06d", edge, i), DeviceId: fmt.Sprintf("load-edge-%03d", edge),
		CameraId: "cam1", ZoneId: "z1", RuleId: "r1",
		// The demo type opens a case per report, so that counts are exact.
		ViolationType: "demo_linger", ObservedAt: timestamppb.New(now), StartedAt: timestamppb.New(now.Add(-time.Minute)),
		DwellSeconds: 60, FrameWidth: 1920, FrameHeight: 1080,
		Detections: []*xiuhuav1.Detection{{ClassName: "person", Score: 0.8, Box: &xiuhuav1.Box{X: 100, Y: 200, Width: 80, Height: 200}, TrackId: uint64(i)}},
		Location:   &xiuhuav1.GeoPoint{Lat: 31.2304 + float64(edge)*0.001, Lon: 121.4737},
		Model:      &xiuhuav1.ModelRef{Name: "yolox_nano", Version: "1", Sha256: strings.Repeat("ab", 32)},
		Evidence: []*xiuhuav1.EvidenceFile{{Name: "snapshot.jpg", Kind: xiuhuav1.EvidenceKind_EVIDENCE_KIND_SNAPSHOT,
			ContentType: "image/jpeg", Size: int64(len(snap)), Sha256: hex.EncodeToString(sum[:])}},
	}
}

func sendLoadReport(ctx context.Context, client xiuhuav1.EdgeServiceClient, rep *xiuhuav1.ViolationReport, snap []byte, chunk int) (*xiuhuav1.ReportViolationResponse, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	stream, err := client.ReportViolation(ctx)
	if err != nil {
		return nil, err
	}
	if err := stream.Send(&xiuhuav1.ReportViolationRequest{Msg: &xiuhuav1.ReportViolationRequest_Report{Report: rep}}); err != nil {
		return stream.CloseAndRecv()
	}
	for off := 0; off < len(snap); off += chunk {
		end := min(off+chunk, len(snap))
		if err := stream.Send(&xiuhuav1.ReportViolationRequest{Msg: &xiuhuav1.ReportViolationRequest_Chunk{Chunk: &xiuhuav1.EvidenceChunk{
			Name: "snapshot.jpg", Offset: int64(off), Data: snap[off:end]}}}); err != nil {
			return stream.CloseAndRecv() // the server answered early; its error says why
		}
	}
	return stream.CloseAndRecv()
}

// checkCounts opens the store again and checks that every event is stored
// exactly once, in the case it was acknowledged with.
func checkCounts(ctx context.Context, cfg config.Config, all []ack, o *loadOptions, out io.Writer) error {
	var (
		st  store.Store
		err error
	)
	if cfg.Store.Driver == config.DriverPostgres {
		st, err = postgres.Open(ctx, cfg.Store.DSN)
	} else {
		st, err = sqlite.Open(ctx, filepath.Join(cfg.DataDir, app.DBFile))
	}
	if err != nil {
		return err
	}
	defer st.Close()

	acked := map[string]string{}
	fresh, dups := 0, 0
	for _, a := range all {
		if prev, ok := acked[a.eventID]; ok && prev != a.caseID {
			return fmt.Errorf("event %s acked with two cases %s and %s", a.eventID, prev, a.caseID)
		}
		acked[a.eventID] = a.caseID
		if a.dup {
			dups++
		} else {
			fresh++
		}
	}
	want := o.edges * o.reports
	if len(acked) != want || fresh != want {
		return fmt.Errorf("%d events acked, %d as new: want %d of each", len(acked), fresh, want)
	}
	for ev, caseID := range acked {
		got, err := st.ReportCase(ctx, ev)
		if err != nil {
			return fmt.Errorf("acked event %s: %w (lost)", ev, err)
		}
		if got != caseID {
			return fmt.Errorf("event %s stored in case %s, acked with %s", ev, got, caseID)
		}
	}
	cases, reports := 0, 0
	cursor := ""
	for {
		page, err := st.ListCases(ctx, store.CaseFilter{Limit: store.MaxLimit, Cursor: cursor})
		if err != nil {
			return err
		}
		for _, c := range page.Cases {
			cases++
			reports += c.ReportCount
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	if cases != want || reports != want {
		return fmt.Errorf("%d cases holding %d reports: want %d of each (doubled or lost)", cases, reports, want)
	}
	fmt.Fprintf(out, "%-8s counts OK: %d events, %d cases, %d stored reports, %d resends answered as duplicates of the same case\n",
		cfg.Store.Driver, len(acked), cases, reports, dups)
	return nil
}

// benchSchema makes a fresh schema on the database at dsn and returns a
// DSN that uses it, and a function that drops it.
func benchSchema(ctx context.Context, dsn string) (string, func(), error) {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return "", nil, fmt.Errorf("PostgreSQL unreachable (set -postgres): %w", err)
	}
	defer conn.Close(ctx)
	name := fmt.Sprintf("xiuhua_bench_%d", time.Now().UnixNano())
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", nil, err
	}
	drop := func() {
		c, err := pgx.Connect(context.Background(), dsn)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		_, _ = c.Exec(context.Background(), "DROP SCHEMA "+pgx.Identifier{name}.Sanitize()+" CASCADE")
	}
	u, err := url.Parse(dsn)
	if err != nil {
		drop()
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String(), drop, nil
}

// loopbackToken sends a device token without TLS: the bench runs on
// loopback.
type loopbackToken string

func (t loopbackToken) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + string(t)}, nil
}

func (loopbackToken) RequireTransportSecurity() bool { return false }
