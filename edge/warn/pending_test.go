package warn

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func pendingAt(id string, lookAt time.Time) Pending {
	return Pending{ID: id, Camera: "cam1", Zone: "pavement", Rule: "vending", Type: "street_vending",
		RaisedAt: lookAt.Add(-10 * time.Minute), LookAt: lookAt,
		Warnings: []Played{{At: lookAt.Add(-10 * time.Minute), Player: "backchannel"}}}
}

func TestPendingStoreSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenPendingStore(dir)
	require.NoError(t, err)
	t0 := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	require.NoError(t, s.Put(pendingAt("ev-2", t0.Add(time.Minute))))
	require.NoError(t, s.Put(pendingAt("ev-1", t0)))
	again := pendingAt("ev-3", t0.Add(2*time.Minute))
	require.NoError(t, s.Put(again))
	again.Warnings = append(again.Warnings, Played{At: t0, Player: "backchannel", Error: "camera cam1: busy"})
	require.NoError(t, s.Put(again), "a second warning replaces the entry")
	require.NoError(t, s.Remove("ev-2"))
	require.NoError(t, s.Remove("ev-2"), "removing twice is fine")

	// An interrupted Put and a damaged entry, as a crash and a bad disk
	// might leave them.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "ev-9.tmp"), []byte("{"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "ev-8.json"), []byte(`{"id":"ev-8"`), 0o600))

	s2, err := OpenPendingStore(dir)
	require.NoError(t, err)
	got, bad, err := s2.Load()
	require.NoError(t, err)
	require.Len(t, bad, 1)
	require.ErrorContains(t, bad[0], "ev-8.json")
	require.Len(t, got, 2)
	require.Equal(t, "ev-1", got[0].ID, "earliest look first")
	require.Equal(t, again, got[1])
	require.FileExists(t, filepath.Join(dir, "ev-8.json.bad"))
	require.NoFileExists(t, filepath.Join(dir, "ev-9.tmp"))
}

func TestPendingStoreRejects(t *testing.T) {
	s, err := OpenPendingStore(t.TempDir())
	require.NoError(t, err)
	t0 := time.Now()
	for _, tc := range []struct {
		name string
		p    Pending
		want string
	}{
		{"path in id", pendingAt("../etc/passwd", t0), `id "../etc/passwd"`},
		{"no camera", func() Pending { p := pendingAt("ev-1", t0); p.Camera = ""; return p }(), "camera and type must be set"},
		{"no look time", func() Pending { p := pendingAt("ev-1", t0); p.LookAt = time.Time{}; return p }(), "look_at must be set"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.ErrorContains(t, s.Put(tc.p), tc.want)
		})
	}
	require.Error(t, s.Remove("../x"))
}

// FuzzDecodePending: stored entries are read back after crashes and disk
// faults; any bytes must give an entry that passes check, or an error.
func FuzzDecodePending(f *testing.F) {
	f.Add([]byte(`{"id":"ev-1","camera":"cam1","type":"street_vending","raised_at":"2026-12-06T09:00:00Z","look_at":"2026-12-06T09:10:00Z","warnings":[{"at":"2026-12-06T09:00:01Z","player":"http"}]}`))
	f.Add([]byte(`{"id":"ev-1"} {}`))
	f.Add([]byte(`{"id":"a/b","camera":"c","type":"t","raised_at":"2026-12-06T09:00:00Z","look_at":"2026-12-06T09:00:00Z"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := decodePending(b)
		if err != nil {
			return
		}
		if err := p.check(); err != nil {
			t.Fatalf("accepted an entry that fails check: %v", err)
		}
	})
}
