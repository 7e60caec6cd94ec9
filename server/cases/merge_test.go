package cases_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/store"
	"github.com/xiuhua/xiuhua/server/store/postgres"
	"github.com/xiuhua/xiuhua/server/store/postgres/pgtest"
)

func box(x, y, w, h float32) []store.Detection {
	return []store.Detection{{ClassName: "umbrella", Score: 0.9, X: x, Y: y, Width: w, Height: h}}
}

func TestIoU(t *testing.T) {
	for _, tc := range []struct {
		name string
		a, b store.Detection
		want float64
	}{
		{"same", box(0, 0, 10, 10)[0], box(0, 0, 10, 10)[0], 1},
		{"half", box(0, 0, 10, 10)[0], box(5, 0, 10, 10)[0], 50.0 / 150},
		{"apart", box(0, 0, 10, 10)[0], box(20, 20, 10, 10)[0], 0},
		{"touching", box(0, 0, 10, 10)[0], box(10, 0, 10, 10)[0], 0},
		{"empty", box(0, 0, 0, 0)[0], box(0, 0, 0, 0)[0], 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.InDelta(t, tc.want, cases.IoU(tc.a, tc.b), 1e-9)
			require.InDelta(t, tc.want, cases.IoU(tc.b, tc.a), 1e-9)
		})
	}
	require.Zero(t, cases.MaxIoU(nil, box(0, 0, 1, 1)))
}

// TestMerge feeds a first report, then a second one changed by mod, and
// says whether the second joins the first's case.
func TestMerge(t *testing.T) {
	here := &store.GeoPoint{Lat: 31.2304, Lon: 121.4737}
	tenMetresNorth := &store.GeoPoint{Lat: 31.2304 + 10/111195.0, Lon: 121.4737}
	fiftyMetresNorth := &store.GeoPoint{Lat: 31.2304 + 50/111195.0, Lon: 121.4737}
	first := func() *store.Report {
		r := report("first")
		r.Detections = box(100, 100, 50, 50)
		return r
	}
	tests := []struct {
		name string
		mod  func(r *store.Report)
		join bool
	}{
		{"same box", func(r *store.Report) {}, true},
		{"overlapping box", func(r *store.Report) { r.Detections = box(110, 110, 50, 50) }, true},
		{"box elsewhere, no position", func(r *store.Report) {
			r.Detections = box(400, 100, 50, 50)
			r.Location = nil
		}, false},
		{"box elsewhere, position near", func(r *store.Report) {
			r.Detections = box(400, 100, 50, 50)
			r.Location = tenMetresNorth
		}, true},
		{"box elsewhere, position far", func(r *store.Report) {
			r.Detections = box(400, 100, 50, 50)
			r.Location = fiftyMetresNorth
		}, false},
		{"other zone", func(r *store.Report) { r.ZoneID = "z2" }, false},
		{"other camera", func(r *store.Report) { r.CameraID = "cam2" }, false},
		{"same camera id on another device", func(r *store.Report) { r.DeviceID = "d2" }, false},
		{"other type", func(r *store.Report) { r.ViolationType = "outside_store" }, false},
		{"after the window", func(r *store.Report) { r.ObservedAt = at.Add(31 * time.Minute) }, false},
		{"inside the window", func(r *store.Report) { r.ObservedAt = at.Add(29 * time.Minute) }, true},
		{"a type that does not merge", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			svc, st := newService(t, cases.DefaultConfig())
			a := first()
			a.Location = here
			b := first()
			b.EventID = "second"
			b.Location = here
			if tc.mod == nil {
				a.ViolationType, b.ViolationType = "demo_linger", "demo_linger"
			} else {
				tc.mod(b)
			}
			id1, _, err := svc.Record(ctx, a)
			require.NoError(t, err)
			id2, _, err := svc.Record(ctx, b)
			require.NoError(t, err)
			if !tc.join {
				require.NotEqual(t, id1, id2)
				return
			}
			require.Equal(t, id1, id2)
			d, err := st.GetCase(ctx, id1)
			require.NoError(t, err)
			require.Equal(t, 2, d.ReportCount)
			require.False(t, d.Reports[1].Suppressed)
		})
	}
}

func TestClosedCaseDoesNotAbsorb(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t, cases.DefaultConfig())
	a := report("a")
	a.Detections = box(0, 0, 10, 10)
	id, _, err := svc.Record(ctx, a)
	require.NoError(t, err)
	for _, s := range []struct{ to, role string }{
		{cases.StatusFiled, cases.RoleAdmin}, {cases.StatusDispatched, cases.RoleAdmin}, {cases.StatusHandling, cases.RoleAdmin},
		{cases.StatusReported, cases.RoleAdmin}, {cases.StatusVerified, cases.RoleAdmin}, {cases.StatusClosed, cases.RoleAdmin},
	} {
		unit := "" // a dispatch names its unit: this case has none of its own
		if s.to == cases.StatusDispatched {
			unit = "城管中队"
		}
		_, err := svc.Transition(ctx, cases.Request{CaseID: id, To: s.to, Role: s.role, Actor: "x", Unit: unit})
		require.NoError(t, err)
	}
	b := report("b")
	b.Detections = box(0, 0, 10, 10)
	id2, _, err := svc.Record(ctx, b)
	require.NoError(t, err)
	require.NotEqual(t, id, id2, "the violation came back: a new case")
}

func TestRejectionSuppresses(t *testing.T) {
	ctx := context.Background()
	cfg := cases.DefaultConfig()
	cfg.Merge.Suppress = 2 * time.Hour
	svc, st := newService(t, cfg)
	a := report("a")
	a.Detections = box(0, 0, 10, 10)
	a.ObservedAt = time.Now()
	id, _, err := svc.Record(ctx, a)
	require.NoError(t, err)
	_, err = svc.Transition(ctx, cases.Request{CaseID: id, To: cases.StatusRejected, Role: cases.RoleReviewer, Actor: "x", Comment: "阴影，不是摊位"})
	require.NoError(t, err)

	b := report("b")
	b.Detections = box(1, 1, 10, 10)
	b.ObservedAt = time.Now().Add(time.Hour)
	id2, dup, err := svc.Record(ctx, b)
	require.NoError(t, err)
	require.False(t, dup)
	require.Equal(t, id, id2, "suppressed by the rejection")
	d, err := st.GetCase(ctx, id)
	require.NoError(t, err)
	require.Equal(t, cases.StatusRejected, d.Status)
	require.Equal(t, 2, d.ReportCount)
	require.True(t, d.Reports[1].Suppressed, "kept as a labelled negative")
	page, err := st.ListCases(ctx, store.CaseFilter{Limit: 10})
	require.NoError(t, err)
	require.Len(t, page.Cases, 1, "no new case")

	// After the suppression time the same thing opens a case again.
	c := report("c")
	c.Detections = box(1, 1, 10, 10)
	c.ObservedAt = time.Now().Add(3 * time.Hour)
	id3, _, err := svc.Record(ctx, c)
	require.NoError(t, err)
	require.NotEqual(t, id, id3)

	// An open case at the place wins over the rejection.
	e := report("e")
	e.Detections = box(1, 1, 10, 10)
	e.ObservedAt = time.Now().Add(3*time.Hour + time.Minute)
	id4, _, err := svc.Record(ctx, e)
	require.NoError(t, err)
	require.Equal(t, id3, id4)
}

// TestConcurrentSamePlace: reports of one violation arriving at once open
// one case between them.
func TestConcurrentSamePlace(t *testing.T) {
	ctx := context.Background()
	svc, st := newService(t, cases.DefaultConfig())
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			r := report(fmt.Sprintf("c%d", i))
			r.Detections = box(float32(i), 0, 50, 50)
			_, _, errs[i] = svc.Record(ctx, r)
		})
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	page, err := st.ListCases(ctx, store.CaseFilter{Limit: 10})
	require.NoError(t, err)
	require.Len(t, page.Cases, 1)
	require.Equal(t, n, page.Cases[0].ReportCount)
}

// TestConcurrentSamePlaceReplicas is TestConcurrentSamePlace across two
// server replicas (two pools) on one PostgreSQL database.
func TestConcurrentSamePlaceReplicas(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.Schema(t)
	var svcs []*cases.Service
	var first store.Store
	for range 2 {
		st, err := postgres.Open(ctx, dsn)
		require.NoError(t, err)
		t.Cleanup(func() { st.Close() })
		if first == nil {
			first = st
		}
		svcs = append(svcs, cases.New(st, cases.DefaultConfig()))
	}
	const n = 10
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			r := report(fmt.Sprintf("c%d", i))
			r.Detections = box(float32(i), 0, 50, 50)
			_, _, errs[i] = svcs[i%2].Record(ctx, r)
		})
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	page, err := first.ListCases(ctx, store.CaseFilter{Limit: 10})
	require.NoError(t, err)
	require.Len(t, page.Cases, 1)
	require.Equal(t, n, page.Cases[0].ReportCount)
}
