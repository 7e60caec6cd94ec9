package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/store"
)

// Retention marks evidence of cases that ended long enough ago as purged,
// once, by kind and outcome; a blob stays referenced while any row not
// purged or any attachment names it.
func testRetention(t *testing.T, s store.Store) {
	ctx := context.Background()
	reject := func(eventID string) string {
		id, _, err := s.SaveReport(ctx, Report(eventID), pending)
		require.NoError(t, err)
		require.NoError(t, s.Transition(ctx, store.Transition{CaseID: id, Version: 1, From: "pending_review", To: "rejected",
			Actor: "li", Role: "reviewer", Action: "reject", At: t0}))
		return id
	}
	reject("e1")
	reject("e2")
	// e3 is still open and shares e1's annotated picture.
	open := Report("e3")
	open.Evidence[1].SHA256 = sha("ann-e1")
	_, _, err := s.SaveReport(ctx, open, pending)
	require.NoError(t, err)

	got, err := s.PurgeEvidence(ctx, store.KindAnnotated, "rejected", t0.Add(-time.Second), 10)
	require.NoError(t, err)
	require.Empty(t, got, "rejected at t0, not before")
	got, err = s.PurgeEvidence(ctx, store.KindAnnotated, "closed", t0.Add(time.Hour), 10)
	require.NoError(t, err)
	require.Empty(t, got, "no closed case")

	got, err = s.PurgeEvidence(ctx, store.KindAnnotated, "rejected", t0.Add(time.Hour), 1)
	require.NoError(t, err)
	require.Len(t, got, 1, "the limit")
	more, err := s.PurgeEvidence(ctx, store.KindAnnotated, "rejected", t0.Add(time.Hour), 10)
	require.NoError(t, err)
	require.ElementsMatch(t, []string{sha("ann-e1"), sha("ann-e2")}, append(got, more...))
	again, err := s.PurgeEvidence(ctx, store.KindAnnotated, "rejected", t0.Add(time.Hour), 10)
	require.NoError(t, err)
	require.Empty(t, again, "purged once")

	for _, tc := range []struct {
		sha  string
		want bool
	}{
		{sha("ann-e2"), false}, // purged, nothing else
		{sha("ann-e1"), true},  // the open case e3 still shows it
		{sha("snap-e1"), true}, // another kind: kept
		{sha("nothing"), false},
	} {
		ref, err := s.BlobReferenced(ctx, tc.sha)
		require.NoError(t, err)
		require.Equal(t, tc.want, ref, tc.sha)
	}
	e, err := s.GetEvidence(ctx, sha("ann-e2"))
	require.NoError(t, err)
	require.True(t, e.Purged)
	e, err = s.GetEvidence(ctx, sha("ann-e1"))
	require.NoError(t, err)
	require.False(t, e.Purged, "the row not purged is found first")

	// A transition's attachment is part of the audit trail: referenced.
	id := reject("e4")
	att := &store.Evidence{Kind: store.KindAttachment, ContentType: "image/png", Size: 42, SHA256: sha("ann-e2")}
	require.NoError(t, s.Transition(ctx, store.Transition{CaseID: id, Version: 2, From: "rejected", To: "rejected",
		Actor: "li", Role: "reviewer", Action: "note", At: t0, Attachment: att}))
	ref, err := s.BlobReferenced(ctx, sha("ann-e2"))
	require.NoError(t, err)
	require.True(t, ref)

	d, err := s.GetCase(ctx, id)
	require.NoError(t, err)
	require.NotEmpty(t, d.Audit, "the audit trail stays")

	// A registered model's file.
	_, err = s.PutModelVersion(ctx, &store.ModelVersion{Name: "m", Version: "1", SHA256: sha("model"), Size: 1, Family: "yolox",
		InputWidth: 416, InputHeight: 416, Classes: []string{"a"}, Manifest: []byte("m"), CreatedAt: t0})
	require.NoError(t, err)
	ref, err = s.BlobReferenced(ctx, sha("model"))
	require.NoError(t, err)
	require.True(t, ref)
}

// The pictures of a violation corrected after warning (no case) are
// referenced until a "corrected" rule purges them by the observation's
// age; they used to live only in the record's JSON, and the orphan pass
// deleted them.
func testCorrectionRetention(t *testing.T, s store.Store) {
	ctx := context.Background()
	for i, id := range []string{"ok-old", "ok-new"} {
		r := Report(id)
		r.Warn = &store.Warn{Outcome: store.WarnCorrected, Reason: "gone after warning"}
		r.ObservedAt = t0.Add(time.Duration(i) * 48 * time.Hour)
		dup, err := s.SaveCorrection(ctx, r, "g1")
		require.NoError(t, err)
		require.False(t, dup)
	}
	for _, name := range []string{"snap-ok-old", "ann-ok-old", "snap-ok-new"} {
		ref, err := s.BlobReferenced(ctx, sha(name))
		require.NoError(t, err)
		require.True(t, ref, "%s: a corrected record's file is in use", name)
	}

	got, err := s.PurgeEvidence(ctx, store.KindSnapshot, store.WarnCorrected, t0.Add(24*time.Hour), 10)
	require.NoError(t, err)
	require.Equal(t, []string{sha("snap-ok-old")}, got, "only the record observed before the cut, only its snapshots")
	again, err := s.PurgeEvidence(ctx, store.KindSnapshot, store.WarnCorrected, t0.Add(24*time.Hour), 10)
	require.NoError(t, err)
	require.Empty(t, again, "purged once")
	got, err = s.PurgeEvidence(ctx, store.KindSnapshot, "closed", t0.Add(100*time.Hour), 10)
	require.NoError(t, err)
	require.Empty(t, got, "a case outcome never purges corrected records' files")

	for _, tc := range []struct {
		name string
		want bool
	}{{"snap-ok-old", false}, {"ann-ok-old", true}, {"snap-ok-new", true}} {
		ref, err := s.BlobReferenced(ctx, sha(tc.name))
		require.NoError(t, err)
		require.Equal(t, tc.want, ref, tc.name)
	}
	a, err := s.Autonomy(ctx, store.StatsQuery{})
	require.NoError(t, err)
	require.Equal(t, 2, a.Total.Corrected, "purging files keeps the records and their counts")
}
