package notify_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/notify"
	"github.com/xiuhua/xiuhua/server/store"
	"github.com/xiuhua/xiuhua/server/store/sqlite"
)

var secret = []byte("s3cret-for-tests")

// receiver is a webhook endpoint that checks every request as a real
// integration should and keeps what it saw.
type receiver struct {
	t *testing.T
	*httptest.Server

	mu       sync.Mutex
	failNext int            // answer 503 to this many more requests
	requests int            // every request, repeats included
	seen     map[string]int // requests by event id: the dedup view
	events   map[string]cases.Event
	delay    time.Duration
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{t: t, seen: map[string]int{}, events: map[string]cases.Event{}}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	// The signature, computed here without the package's help.
	ts := req.Header.Get("X-Xiuhua-Timestamp")
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts + "." + string(body)))
	want := "sha256=" + hex.EncodeToString(m.Sum(nil))
	if !hmac.Equal([]byte(want), []byte(req.Header.Get("X-Xiuhua-Signature"))) {
		r.t.Errorf("bad signature %q", req.Header.Get("X-Xiuhua-Signature"))
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var e cases.Event
	if err := json.Unmarshal(body, &e); err != nil {
		r.t.Errorf("body is not an event: %v", err)
	}
	if e.ID != req.Header.Get("X-Xiuhua-Event-Id") || e.Event != req.Header.Get("X-Xiuhua-Event") {
		r.t.Errorf("headers %q %q do not match body %q %q", req.Header.Get("X-Xiuhua-Event-Id"), req.Header.Get("X-Xiuhua-Event"), e.ID, e.Event)
	}
	time.Sleep(r.delay)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests++
	if r.failNext > 0 {
		r.failNext--
		http.Error(w, "try later", http.StatusServiceUnavailable)
		return
	}
	r.seen[e.ID]++
	r.events[e.ID] = e
	w.WriteHeader(http.StatusNoContent)
}

// unique is how many distinct events arrived.
func (r *receiver) unique() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.seen)
}

// waitFor polls cond with a generous bound: no test depends on timing.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func openSQLite(t *testing.T, path string) *sqlite.Store {
	s, err := sqlite.Open(context.Background(), path)
	require.NoError(t, err)
	return s
}

func tempDB(t *testing.T) string { return filepath.Join(t.TempDir(), "x.db") }

// report is a demo-type report, which never merges: one case each.
func report(id string) *store.Report {
	return &store.Report{EventID: id, DeviceID: "d1", CameraID: "cam1", ZoneID: "z1", RuleID: "r1",
		ViolationType: "demo_linger", ObservedAt: time.Date(2025, 6, 1, 8, 0, 0, 0, time.UTC),
		Location: &store.GeoPoint{Lat: 31.23, Lon: 121.47}}
}

// record files n reports through the case service, which writes their
// created events to the outbox.
func record(t *testing.T, svc *cases.Service, prefix string, n int) []string {
	var ids []string
	for i := range n {
		id, _, err := svc.Record(context.Background(), report(prefix+string(rune('a'+i%26))+string(rune('a'+i/26))))
		require.NoError(t, err)
		ids = append(ids, id)
	}
	return ids
}

// run starts d and returns a function that stops it and waits.
func run(t *testing.T, d *notify.Dispatcher) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		require.NoError(t, d.Run(ctx))
	}()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return stop
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// fastRetry keeps retried tests short.
var fastRetry = notify.Backoff{Base: 5 * time.Millisecond, Max: 50 * time.Millisecond}

// value reads a counter.
func value(c prometheus.Counter) float64 {
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		panic(err)
	}
	return m.GetCounter().GetValue()
}
