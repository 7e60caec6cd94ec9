// Package storetest is a conformance suite for store.Store implementations:
// every backend runs the same tests.
package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/store"
)

// Open returns an empty store; the suite closes it.
type Open func(t *testing.T) store.Store

// Run runs every test against stores from open.
func Run(t *testing.T, open Open) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"SaveAndGet", testSaveAndGet},
		{"Duplicate", testDuplicate},
		{"ConcurrentDuplicates", testConcurrentDuplicates},
		{"AssignErrorStoresNothing", testAssignErrorStoresNothing},
		{"BadEvidenceStoresNothing", testBadEvidenceStoresNothing},
		{"ListNewestFirstAndPages", testListPages},
		{"ListStatus", testListStatus},
		{"BadCursor", testBadCursor},
		{"Thumbnail", testThumbnail},
		{"NotFound", testNotFound},
		{"Devices", testDevices},
		{"OpenWritesAudit", testOpenWritesAudit},
		{"Transition", testTransition},
		{"ConcurrentTransitions", testConcurrentTransitions},
		{"CaseLocationAndGrid", testCaseLocationAndGrid},
		{"Candidates", testCandidates},
		{"FiltersAndStats", testFiltersAndStats},
		{"TimeBounds", testTimeBounds},
		{"StatsMatchCases", testStatsMatchCases},
		{"TransitionAttachment", testTransitionAttachment},
		{"Assignee", testAssignee},
		{"OutboxClaimDeliverRetry", testOutboxClaimDeliverRetry},
		{"OutboxSameTransaction", testOutboxSameTransaction},
		{"OutboxConcurrentClaims", testOutboxConcurrentClaims},
		{"Users", testUsers},
		{"Sessions", testSessions},
		{"APITokens", testAPITokens},
		{"UserChanges", testUserChanges},
		{"DeviceCredentials", testDeviceCredentials},
		{"DeviceKeys", testDeviceKeys},
		{"CasesChangedSince", testCasesChangedSince},
		{"RecheckLifecycle", testRecheckLifecycle},
		{"RecheckConflictAndNote", testRecheckConflictAndNote},
		{"RecheckConcurrentFinish", testRecheckConcurrentFinish},
		{"ModelRegistry", testModelRegistry}, {"Rollouts", testRollouts}, {"DeviceModels", testDeviceModels}, {"TrainingReports", testTrainingReports},
		{"Retention", testRetention},
		{"CorrectionRetention", testCorrectionRetention},
		{"WarnFirst", testWarnFirst},
		{"CaseAddress", testCaseAddress},
		{"CaseNumbers", testCaseNumbers},
		{"CaseFigures", testCaseFigures},
		{"Overdue", testOverdue},
		{"UserUnits", testUserUnits},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() { require.NoError(t, s.Close()) })
			require.NoError(t, s.Ping(context.Background()))
			tc.fn(t, s)
		})
	}
}

// openCase is the simplest assigner: a case per report.
func openCase(status string) store.Assigner {
	return func(ctx context.Context, tx store.CaseTx, r *store.Report) (string, error) {
		return tx.OpenCase(ctx, store.NewCase{Status: status, ViolationType: r.ViolationType,
			DeviceID: r.DeviceID, CameraID: r.CameraID, ZoneID: r.ZoneID, RuleID: r.RuleID})
	}
}

var pending = openCase("pending_review")

// t0 has microseconds, the precision every backend keeps (PostgreSQL's).
var t0 = time.Date(2025, 6, 1, 8, 30, 15, 123456000, time.UTC)

func sha(s string) string { return fmt.Sprintf("%064x", []byte(s)) }

// Report returns a complete report for tests.
func Report(eventID string) *store.Report {
	return &store.Report{
		EventID:       eventID,
		DeviceID:      "edge-01",
		CameraID:      "cam-7",
		ZoneID:        "zone-a",
		RuleID:        "rule-1",
		ViolationType: "street_vending",
		ObservedAt:    t0,
		StartedAt:     t0.Add(-7 * time.Minute),
		DwellSeconds:  420.5,
		Detections: []store.Detection{
			{ClassName: "umbrella", Score: 0.87, X: 10, Y: 20, Width: 30, Height: 40, TrackID: 9},
		},
		Location:          &store.GeoPoint{Lat: 31.2304, Lon: 121.4737},
		Model:             store.ModelRef{Name: "yolox_nano", Version: "1", SHA256: sha("m")},
		FrameWidth:        1920,
		FrameHeight:       1080,
		Signature:         bytes.Repeat([]byte{1}, 64),
		Signed:            []byte("signed bytes"),
		SignatureVerified: true,
		Evidence: []store.Evidence{
			{Name: "snapshot.jpg", Kind: store.KindSnapshot, ContentType: "image/jpeg", Size: 100, SHA256: sha("snap-" + eventID)},
			{Name: "annotated.jpg", Kind: store.KindAnnotated, ContentType: "image/jpeg", Size: 120, SHA256: sha("ann-" + eventID)},
		},
	}
}

func testSaveAndGet(t *testing.T, s store.Store) {
	ctx := context.Background()
	r := Report("e1")
	before := time.Now().Add(-time.Second)
	caseID, dup, err := s.SaveReport(ctx, r, pending)
	require.NoError(t, err)
	require.False(t, dup)
	require.NotEmpty(t, caseID)

	got, err := s.ReportCase(ctx, "e1")
	require.NoError(t, err)
	require.Equal(t, caseID, got)

	d, err := s.GetCase(ctx, caseID)
	require.NoError(t, err)
	require.Equal(t, caseID, d.ID)
	require.Equal(t, "pending_review", d.Status)
	require.Equal(t, "street_vending", d.ViolationType)
	require.Equal(t, "edge-01", d.DeviceID)
	require.Equal(t, "cam-7", d.CameraID)
	require.Equal(t, "zone-a", d.ZoneID)
	require.Equal(t, "rule-1", d.RuleID)
	require.Equal(t, 1, d.ReportCount)
	require.True(t, d.FirstSeen.Equal(t0), "first seen %v", d.FirstSeen)
	require.True(t, d.LastSeen.Equal(t0))
	require.True(t, d.CreatedAt.After(before))
	require.NotNil(t, d.Thumbnail)
	require.Equal(t, store.KindAnnotated, d.Thumbnail.Kind)

	require.Len(t, d.Reports, 1)
	g := d.Reports[0]
	require.Equal(t, caseID, g.CaseID)
	require.True(t, g.ReceivedAt.After(before))
	require.True(t, g.ObservedAt.Equal(r.ObservedAt))
	require.True(t, g.StartedAt.Equal(r.StartedAt))
	// Compare the rest field by field-free: blank what the store sets.
	want := *r
	want.CaseID, want.ReceivedAt = g.CaseID, g.ReceivedAt
	want.ObservedAt, want.StartedAt = g.ObservedAt, g.StartedAt
	require.Equal(t, want, g)

	e, err := s.GetEvidence(ctx, sha("snap-e1"))
	require.NoError(t, err)
	require.Equal(t, r.Evidence[0], *e)

	// A report with the optional parts missing.
	bare := &store.Report{EventID: "e2", DeviceID: "d", CameraID: "c", ViolationType: "demo_linger", ObservedAt: t0}
	caseID2, dup, err := s.SaveReport(ctx, bare, pending)
	require.NoError(t, err)
	require.False(t, dup)
	d2, err := s.GetCase(ctx, caseID2)
	require.NoError(t, err)
	require.Nil(t, d2.Thumbnail)
	require.Len(t, d2.Reports, 1)
	require.Nil(t, d2.Reports[0].Location)
	require.True(t, d2.Reports[0].StartedAt.IsZero())
	require.Empty(t, d2.Reports[0].Evidence)
	require.Empty(t, d2.Reports[0].Detections)
	require.False(t, d2.Reports[0].SignatureVerified)
}

func testDuplicate(t *testing.T, s store.Store) {
	ctx := context.Background()
	id1, dup, err := s.SaveReport(ctx, Report("e1"), pending)
	require.NoError(t, err)
	require.False(t, dup)

	called := false
	changed := Report("e1")
	changed.CameraID = "other"
	id2, dup, err := s.SaveReport(ctx, changed, func(ctx context.Context, tx store.CaseTx, r *store.Report) (string, error) {
		called = true
		return pending(ctx, tx, r)
	})
	require.NoError(t, err)
	require.True(t, dup)
	require.Equal(t, id1, id2)
	require.False(t, called, "assigner must not run for a duplicate")

	page, err := s.ListCases(ctx, store.CaseFilter{Limit: 10})
	require.NoError(t, err)
	require.Len(t, page.Cases, 1)
	require.Equal(t, 1, page.Cases[0].ReportCount)
	require.Equal(t, "cam-7", page.Cases[0].CameraID)
}

func testConcurrentDuplicates(t *testing.T, s store.Store) {
	ctx := context.Background()
	const n = 8
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		ids  = map[string]int{}
		dups int
		errs []error
	)
	for range n {
		wg.Go(func() {
			id, dup, err := s.SaveReport(ctx, Report("same"), pending)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			ids[id]++
			if dup {
				dups++
			}
		})
	}
	wg.Wait()
	require.Empty(t, errs)
	require.Len(t, ids, 1)
	require.Equal(t, n-1, dups)
	page, err := s.ListCases(ctx, store.CaseFilter{Limit: 10})
	require.NoError(t, err)
	require.Len(t, page.Cases, 1)
}

func requireEmpty(t *testing.T, s store.Store, eventID string) {
	t.Helper()
	ctx := context.Background()
	page, err := s.ListCases(ctx, store.CaseFilter{Limit: 10})
	require.NoError(t, err)
	require.Empty(t, page.Cases)
	_, err = s.ReportCase(ctx, eventID)
	require.ErrorIs(t, err, store.ErrNotFound)
}

func testAssignErrorStoresNothing(t *testing.T, s store.Store) {
	ctx := context.Background()
	boom := errors.New("boom")
	_, _, err := s.SaveReport(ctx, Report("e1"), func(ctx context.Context, tx store.CaseTx, r *store.Report) (string, error) {
		if _, err := pending(ctx, tx, r); err != nil {
			return "", err
		}
		return "", boom
	})
	require.ErrorIs(t, err, boom)
	requireEmpty(t, s, "e1")

	_, _, err = s.SaveReport(ctx, Report("e1"), func(context.Context, store.CaseTx, *store.Report) (string, error) {
		return "no-such-case", nil
	})
	require.Error(t, err)
	requireEmpty(t, s, "e1")
}

func testBadEvidenceStoresNothing(t *testing.T, s store.Store) {
	ctx := context.Background()
	r := Report("e1")
	r.Evidence[1].Name = r.Evidence[0].Name // names must be unique in a report
	_, _, err := s.SaveReport(ctx, r, pending)
	require.Error(t, err)
	requireEmpty(t, s, "e1")
}

func testListPages(t *testing.T, s store.Store) {
	ctx := context.Background()
	var want []string
	for i := range 7 {
		id, _, err := s.SaveReport(ctx, Report(fmt.Sprintf("e%d", i)), pending)
		require.NoError(t, err)
		want = append([]string{id}, want...) // newest first
	}
	var got []string
	cursor := ""
	for pages := 0; ; pages++ {
		require.Less(t, pages, 10)
		page, err := s.ListCases(ctx, store.CaseFilter{Limit: 3, Cursor: cursor})
		require.NoError(t, err)
		require.LessOrEqual(t, len(page.Cases), 3)
		for _, c := range page.Cases {
			got = append(got, c.ID)
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	require.Equal(t, want, got)

	// Exactly one page: no cursor.
	page, err := s.ListCases(ctx, store.CaseFilter{Limit: 7})
	require.NoError(t, err)
	require.Len(t, page.Cases, 7)
	require.Empty(t, page.NextCursor)

	// A limit of 0 still returns something; a huge one is capped.
	page, err = s.ListCases(ctx, store.CaseFilter{})
	require.NoError(t, err)
	require.Len(t, page.Cases, 1)
	page, err = s.ListCases(ctx, store.CaseFilter{Limit: 1 << 30})
	require.NoError(t, err)
	require.Len(t, page.Cases, 7)
}

func testListStatus(t *testing.T, s store.Store) {
	ctx := context.Background()
	a, _, err := s.SaveReport(ctx, Report("e1"), pending)
	require.NoError(t, err)
	b, _, err := s.SaveReport(ctx, Report("e2"), openCase("dispatched"))
	require.NoError(t, err)
	for _, tc := range []struct {
		status string
		want   []string
	}{
		{"", []string{b, a}},
		{"pending_review", []string{a}},
		{"dispatched", []string{b}},
		{"closed", nil},
	} {
		page, err := s.ListCases(ctx, store.CaseFilter{Status: tc.status, Limit: 10})
		require.NoError(t, err)
		var got []string
		for _, c := range page.Cases {
			got = append(got, c.ID)
		}
		require.Equal(t, tc.want, got, "status %q", tc.status)
	}
}

func testBadCursor(t *testing.T, s store.Store) {
	for _, c := range []string{"!!!", "AAAA", "x"} {
		_, err := s.ListCases(context.Background(), store.CaseFilter{Limit: 1, Cursor: c})
		require.ErrorIs(t, err, store.ErrBadCursor, "cursor %q", c)
	}
}

func testThumbnail(t *testing.T, s store.Store) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		kinds []string
		want  string // name of the thumbnail file, "" for none
	}{
		{"annotated wins", []string{store.KindSnapshot, store.KindAnnotated, store.KindClip}, "f1"},
		{"snapshot", []string{store.KindClip, store.KindSnapshot}, "f1"},
		{"clip only", []string{store.KindClip}, ""},
		{"none", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Report(tc.name)
			r.Evidence = nil
			for i, k := range tc.kinds {
				r.Evidence = append(r.Evidence, store.Evidence{Name: fmt.Sprintf("f%d", i), Kind: k,
					ContentType: "image/jpeg", Size: 1, SHA256: sha(tc.name + k)})
			}
			id, _, err := s.SaveReport(ctx, r, pending)
			require.NoError(t, err)
			d, err := s.GetCase(ctx, id)
			require.NoError(t, err)
			page, err := s.ListCases(ctx, store.CaseFilter{Limit: 1})
			require.NoError(t, err)
			require.Equal(t, id, page.Cases[0].ID)
			for _, c := range []store.Case{d.Case, page.Cases[0]} {
				if tc.want == "" {
					require.Nil(t, c.Thumbnail)
				} else {
					require.NotNil(t, c.Thumbnail)
					require.Equal(t, tc.want, c.Thumbnail.Name)
				}
			}
			// Without thumbnails: the same case, its picture left out.
			bare, err := s.ListCases(ctx, store.CaseFilter{Limit: 1, NoThumbnails: true})
			require.NoError(t, err)
			want := page.Cases[0]
			want.Thumbnail = nil
			require.Equal(t, []store.Case{want}, bare.Cases)
		})
	}
}

func testNotFound(t *testing.T, s store.Store) {
	ctx := context.Background()
	_, err := s.GetCase(ctx, "01JXXXXXXXXXXXXXXXXXXXXXXX")
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = s.GetEvidence(ctx, sha("none"))
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = s.GetDevice(ctx, "none")
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = s.ReportCase(ctx, "none")
	require.ErrorIs(t, err, store.ErrNotFound)
	err = s.Heartbeat(ctx, "none", time.Now(), nil)
	require.ErrorIs(t, err, store.ErrNotFound)
}

func testDevices(t *testing.T, s store.Store) {
	ctx := context.Background()
	key := bytes.Repeat([]byte{7}, 32)
	seen := t0
	require.NoError(t, s.UpsertDevice(ctx, &store.Device{ID: "edge-01", PublicKey: key, Hostname: "box",
		Version: "0.1.0", Cameras: json.RawMessage(`[{"id":"cam-7"}]`), LastSeen: seen}))
	d, err := s.GetDevice(ctx, "edge-01")
	require.NoError(t, err)
	require.Equal(t, key, d.PublicKey)
	require.Equal(t, "box", d.Hostname)
	require.Equal(t, "0.1.0", d.Version)
	require.JSONEq(t, `[{"id":"cam-7"}]`, string(d.Cameras))
	require.True(t, d.FirstSeen.Equal(seen))
	require.True(t, d.LastSeen.Equal(seen))
	require.Empty(t, d.Status)

	hb := seen.Add(time.Minute)
	require.NoError(t, s.Heartbeat(ctx, "edge-01", hb, json.RawMessage(`{"outbox_pending":3}`)))
	d, err = s.GetDevice(ctx, "edge-01")
	require.NoError(t, err)
	require.True(t, d.LastSeen.Equal(hb))
	require.True(t, d.FirstSeen.Equal(seen))
	require.JSONEq(t, `{"outbox_pending":3}`, string(d.Status))

	// A new Hello updates identity but keeps first_seen and the status.
	later := seen.Add(time.Hour)
	require.NoError(t, s.UpsertDevice(ctx, &store.Device{ID: "edge-01", Version: "0.2.0", LastSeen: later}))
	d, err = s.GetDevice(ctx, "edge-01")
	require.NoError(t, err)
	require.Empty(t, d.PublicKey)
	require.Equal(t, "0.2.0", d.Version)
	require.JSONEq(t, `[]`, string(d.Cameras))
	require.True(t, d.FirstSeen.Equal(seen))
	require.True(t, d.LastSeen.Equal(later))
	require.JSONEq(t, `{"outbox_pending":3}`, string(d.Status))
}
