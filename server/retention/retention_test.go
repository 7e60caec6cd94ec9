package retention_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/internal/logtest"
	"github.com/xiuhua/xiuhua/server/blob"
	"github.com/xiuhua/xiuhua/server/retention"
	"github.com/xiuhua/xiuhua/server/store"
	"github.com/xiuhua/xiuhua/server/store/sqlite"
)

type env struct {
	st    *sqlite.Store
	blobs *blob.Folder
	reg   *prometheus.Registry
}

func newEnv(t *testing.T) *env {
	dir := t.TempDir()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "xiuhua.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	blobs, err := blob.NewFolder(filepath.Join(dir, "evidence"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = blobs.Close() })
	return &env{st: st, blobs: blobs, reg: prometheus.NewRegistry()}
}

func (e *env) put(t *testing.T, data string) blob.Ref {
	ref, err := blob.Put(context.Background(), e.blobs, bytes.NewReader([]byte(data)))
	require.NoError(t, err)
	return ref
}

// report stores a case with a snapshot and a clip, moved to status at `at`.
func (e *env) report(t *testing.T, event, status string, at time.Time) (snap, clip blob.Ref) {
	ctx := context.Background()
	snap, clip = e.put(t, "snapshot of "+event), e.put(t, "clip of "+event+" that is longer")
	r := &store.Report{EventID: event, DeviceID: "edge-01", CameraID: "cam-1", ViolationType: "street_vending",
		ObservedAt: at, Evidence: []store.Evidence{
			{Name: "snapshot.jpg", Kind: store.KindSnapshot, ContentType: "image/jpeg", Size: snap.Size, SHA256: snap.SHA256},
			{Name: "clip.mp4", Kind: store.KindClip, ContentType: "video/mp4", Size: clip.Size, SHA256: clip.SHA256},
		}}
	id, _, err := e.st.SaveReport(ctx, r, func(ctx context.Context, tx store.CaseTx, r *store.Report) (string, error) {
		return tx.OpenCase(ctx, store.NewCase{Status: "pending_review", ViolationType: r.ViolationType, DeviceID: r.DeviceID, CameraID: r.CameraID})
	})
	require.NoError(t, err)
	require.NoError(t, e.st.Transition(ctx, store.Transition{CaseID: id, Version: 1, From: "pending_review", To: status,
		Actor: "li", Role: "reviewer", Action: status, At: at}))
	return snap, clip
}

// age sets a blob's time back by d.
func (e *env) age(t *testing.T, ref blob.Ref, d time.Duration) {
	past := time.Now().Add(-d)
	p := filepath.Join(e.blobs.Dir(), ref.SHA256[:2], ref.SHA256)
	require.NoError(t, os.Chtimes(p, past, past))
}

func (e *env) has(t *testing.T, ref blob.Ref) bool {
	ok, err := blob.Has(context.Background(), e.blobs, ref.SHA256)
	require.NoError(t, err)
	return ok
}

func (e *env) metric(t *testing.T, name, reason string) float64 {
	mfs, err := e.reg.Gather()
	require.NoError(t, err)
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if reason != "" && (len(m.GetLabel()) == 0 || m.GetLabel()[0].GetValue() != reason) {
				continue
			}
			if m.Counter != nil {
				return m.Counter.GetValue()
			}
			return m.Gauge.GetValue()
		}
	}
	t.Fatalf("no metric %s %s", name, reason)
	return 0
}

func TestSweep(t *testing.T) {
	e := newEnv(t)
	now := time.Now()
	oldSnap, oldClip := e.report(t, "old-rejected", "rejected", now.Add(-40*24*time.Hour))
	newSnap, newClip := e.report(t, "new-rejected", "rejected", now.Add(-2*24*time.Hour))
	closedSnap, closedClip := e.report(t, "old-closed", "closed", now.Add(-40*24*time.Hour))

	// Orphans: evidence of refused reports. One is past the grace age,
	// one could still be an upload in flight.
	oldOrphan, newOrphan := e.put(t, "refused long ago"), e.put(t, "refused a minute ago")
	// The files were committed when their reports came.
	for _, ref := range []blob.Ref{oldSnap, oldClip, newSnap, newClip, closedSnap, closedClip, oldOrphan} {
		e.age(t, ref, 48*time.Hour)
	}

	logs := &logtest.Buffer{}
	s := retention.New(retention.Options{
		Store: e.st, Blobs: e.blobs,
		Rules:       []retention.Rule{{Kind: store.KindClip, Outcome: "rejected", After: 30 * 24 * time.Hour}},
		OrphanGrace: 24 * time.Hour,
		Metrics:     retention.NewMetrics(e.reg),
		Log:         slog.New(slog.NewTextHandler(logs, nil)),
	})
	require.NoError(t, s.Sweep(context.Background()))

	require.False(t, e.has(t, oldClip), "clip of a case rejected 40 days ago")
	require.False(t, e.has(t, oldOrphan), "orphan past the grace age")
	for name, ref := range map[string]blob.Ref{"old snapshot": oldSnap, "new snapshot": newSnap, "new clip": newClip,
		"closed snapshot": closedSnap, "closed clip": closedClip, "fresh orphan": newOrphan} {
		require.True(t, e.has(t, ref), name)
	}
	ev, err := e.st.GetEvidence(context.Background(), oldClip.SHA256)
	require.NoError(t, err)
	require.True(t, ev.Purged, "the row stays, marked")

	require.Equal(t, float64(oldClip.Size), e.metric(t, "xiuhua_blob_deleted_bytes_total", "retention"))
	require.Equal(t, float64(oldOrphan.Size), e.metric(t, "xiuhua_blob_deleted_bytes_total", "orphan"))
	require.Equal(t, 1.0, e.metric(t, "xiuhua_blob_deleted_total", "orphan"))
	kept := oldSnap.Size + newSnap.Size + newClip.Size + closedSnap.Size + closedClip.Size + newOrphan.Size
	require.Equal(t, float64(kept+oldOrphan.Size), e.metric(t, "xiuhua_blob_stored_bytes", ""),
		"counted by the walk that removed the orphan")

	// A second pass finds nothing more to do.
	require.NoError(t, s.Sweep(context.Background()))
	require.Equal(t, float64(oldClip.Size), e.metric(t, "xiuhua_blob_deleted_bytes_total", "retention"))
	require.Equal(t, float64(kept), e.metric(t, "xiuhua_blob_stored_bytes", ""))
	require.Contains(t, logs.String(), "retention applied")
}

// An old blob committed again (a resend of a refused report, a new report
// with the same bytes as an expired one) has a fresh time: neither the
// orphan pass nor a rule removes it until the grace age passes again.
func TestRecommittedBlobStays(t *testing.T) {
	e := newEnv(t)
	ref := e.put(t, "refused, then sent again")
	e.age(t, ref, 48*time.Hour)
	e.put(t, "refused, then sent again")
	_, clip := e.report(t, "expired", "rejected", time.Now().Add(-40*24*time.Hour))
	s := retention.New(retention.Options{Store: e.st, Blobs: e.blobs, OrphanGrace: 24 * time.Hour,
		Rules: []retention.Rule{{Kind: store.KindClip, Outcome: "rejected", After: 30 * 24 * time.Hour}}})
	require.NoError(t, s.Sweep(context.Background()))
	require.True(t, e.has(t, ref))
	require.True(t, e.has(t, clip), "committed a moment ago")
	ev, err := e.st.GetEvidence(context.Background(), clip.SHA256)
	require.NoError(t, err)
	require.True(t, ev.Purged, "the rule still applied to the row")

	e.age(t, clip, 48*time.Hour)
	require.NoError(t, s.Sweep(context.Background()))
	require.False(t, e.has(t, clip), "the orphan pass takes it once old")
}
