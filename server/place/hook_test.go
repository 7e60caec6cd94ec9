package place

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/internal/geo"
)

func TestField(t *testing.T) {
	doc := []byte(`{"status":"0","result":{"formatted_address":" 上海市黄浦区南京东路 "},"results":[{"a":"x"},{"a":"y"}],"n":3,"e":""}`)
	for _, tc := range []struct{ path, want, err string }{
		{"result.formatted_address", "上海市黄浦区南京东路", ""},
		{"results.1.a", "y", ""},
		{"results.2.a", "", `no element "2"`},
		{"results.x.a", "", `no element "x"`},
		{"result.nope", "", "found <nil>"},
		{"n", "", "found 3"},
		{"e", "", "found "},
		{"status.deeper", "", `nothing at "deeper"`},
	} {
		t.Run(tc.path, func(t *testing.T) {
			got, err := Field(doc, tc.path)
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
	_, err := Field([]byte("<html>"), "a")
	require.ErrorContains(t, err, "not JSON")
}

func TestHook(t *testing.T) {
	var calls atomic.Int32
	var gotQuery sync.Map
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		gotQuery.Store("q", r.URL.RawQuery)
		switch r.URL.Path {
		case "/slow":
			<-r.Context().Done()
		case "/down":
			http.Error(w, "no", http.StatusBadGateway)
		default:
			_, _ = w.Write([]byte(`{"regeocode":{"formatted_address":"上海市黄浦区南京东路街道"}}`))
		}
	}))
	defer srv.Close()
	ctx := context.Background()

	h := NewHook(HookConfig{URL: srv.URL + "/regeo?location={lon},{lat}", Field: "regeocode.formatted_address", GCJ02: true, CacheSize: 1})
	a, err := h.Lookup(ctx, 31.2304, 121.4737)
	require.NoError(t, err)
	require.Equal(t, "上海市黄浦区南京东路街道", a)
	g := geo.ToGCJ02(geo.Point{Lat: 31.2304, Lon: 121.4737})
	q, _ := gotQuery.Load("q")
	require.Equal(t, "location="+ftoa(g.Lon)+","+ftoa(g.Lat), q, "GCJ-02 coordinates sent")
	_, err = h.Lookup(ctx, 31.2304, 121.4737)
	require.NoError(t, err)
	require.EqualValues(t, 1, calls.Load(), "the second lookup is cached")
	_, _ = h.Lookup(ctx, 31.3, 121.4) // evicts the first (cache of one)
	_, _ = h.Lookup(ctx, 31.2304, 121.4737)
	require.EqualValues(t, 3, calls.Load())

	slow := NewHook(HookConfig{URL: srv.URL + "/slow?{lat},{lon}", Field: "x", Timeout: 50 * time.Millisecond})
	_, err = slow.Lookup(ctx, 31, 121)
	require.ErrorContains(t, err, "deadline exceeded")
	down := NewHook(HookConfig{URL: srv.URL + "/down?{lat},{lon}", Field: "x"})
	_, err = down.Lookup(ctx, 31, 121)
	require.ErrorContains(t, err, "502 Bad Gateway")
}

func ftoa(f float64) string { return formatCoord(f) }

type fakeSetter struct {
	mu      sync.Mutex
	misses  int // answers found=false this many times first
	set     map[string]string
	settled chan struct{}
}

func (f *fakeSetter) SetCaseAddress(_ context.Context, id, a string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.misses > 0 {
		f.misses--
		return false, nil
	}
	f.set[id] = a
	close(f.settled)
	return true, nil
}

func TestAddresserRetriesUntilTheCaseIsCommitted(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"result":{"formatted_address":"南京东路 100 号"}}`))
	}))
	defer srv.Close()
	streets, err := Load("testdata/streets.geojson")
	require.NoError(t, err)
	st := &fakeSetter{misses: 2, set: map[string]string{}, settled: make(chan struct{})}
	a := &Addresser{Streets: streets, MaxMetres: 200, Store: st,
		Hook: NewHook(HookConfig{URL: srv.URL + "/?lat={lat}&lon={lon}", Field: "result.formatted_address"})}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a.Start(ctx)
	require.Equal(t, "南京东路附近 约 35 米", a.Local(31.2350-35/metresPerDegree, 121.4720))
	a.Opened("c1", 31.2304, 121.4737)
	select {
	case <-st.settled:
	case <-time.After(30 * time.Second):
		t.Fatal("the hook's answer was never stored")
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	require.Equal(t, map[string]string{"c1": "南京东路 100 号"}, st.set)

	var none *Addresser
	require.Empty(t, none.Local(31.2, 121.4))
	none.Opened("x", 1, 2) // no hook, no panic
}

func FuzzField(f *testing.F) {
	f.Add([]byte(`{"result":{"formatted_address":"南京东路"}}`), "result.formatted_address")
	f.Add([]byte(`{"results":[{"a":"x"}]}`), "results.0.a")
	f.Add([]byte(`[1,2,3]`), "-1")
	f.Fuzz(func(t *testing.T, doc []byte, path string) {
		got, err := Field(doc, path)
		if err == nil {
			require.NotEmpty(t, got, "an answer is never empty")
		}
	})
}
