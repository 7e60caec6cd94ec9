package recheck_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/recheck"
	"github.com/xiuhua/xiuhua/server/store"
	"github.com/xiuhua/xiuhua/server/store/postgres"
	"github.com/xiuhua/xiuhua/server/store/postgres/pgtest"
)

const (
	absent      = xiuhuav1.RecheckOutcome_RECHECK_OUTCOME_ABSENT
	present     = xiuhuav1.RecheckOutcome_RECHECK_OUTCOME_PRESENT
	unavailable = xiuhuav1.RecheckOutcome_RECHECK_OUTCOME_UNAVAILABLE
)

// TestAbsentVerifies: a case reaching reported is re-checked on the edge
// that found it at once (the same replica holds its stream: Kick), the
// answer "absent" moves it to verified with the fresh picture attached, and
// a reviewer may still send it back.
func TestAbsentVerifies(t *testing.T) {
	clk := newClock()
	r := newReplica(t, openSQLite(t), clk, filepath.Join(t.TempDir(), "evidence"))
	ctx := ctxT(t)
	e := connect(t, r.client, "edge-01")
	e.heartbeat(t) // connected and registered
	id := reportedCase(t, r, "ev-1")
	require.NoError(t, r.recheck.Poll(ctx))

	req := e.next(t)
	require.Equal(t, id, req.CaseId)
	require.Equal(t, "cam-7", req.CameraId)
	require.Equal(t, "z1", req.ZoneId)
	require.Equal(t, "street_vending", req.ViolationType)
	require.Equal(t, uint32(15), req.TimeoutSeconds)
	require.Equal(t, &xiuhuav1.Box{X: 30, Y: 384, Width: 121, Height: 176}, req.Box)
	require.Equal(t, []uint32{768, 576}, []uint32{req.FrameWidth, req.FrameHeight})

	res := result(t, req, absent, "no chair in zone z1")
	e.answer(t, res)
	e.heartbeat(t)
	d := caseOf(t, r.st, id)
	require.Equal(t, cases.StatusVerified, d.Status)
	entries := recheckEntries(d)
	require.Len(t, entries, 1)
	a := entries[0]
	require.Equal(t, "verify", a.Action)
	require.Equal(t, cases.StatusReported, a.From)
	require.Equal(t, "AI re-check: absent (no chair in zone z1)", a.Comment)
	require.NotNil(t, a.Attachment, "the fresh picture")
	require.Equal(t, "image/jpeg", a.Attachment.ContentType)
	f, err := r.blobs.Open(context.Background(), a.Attachment.SHA256)
	require.NoError(t, err, "attachment in the blob store")
	f.Close()
	ev, err := r.st.GetEvidence(ctx, a.Attachment.SHA256)
	require.NoError(t, err)
	require.Equal(t, store.KindAttachment, ev.Kind)
	require.Equal(t, hexSum(res.Annotated), a.Attachment.SHA256, "the annotated picture is the one kept")
	require.Equal(t, 1.0, counter(t, r.reg, "xiuhua_recheck_requests_total"))
	require.Equal(t, 1.0, counter(t, r.reg, "xiuhua_recheck_outcomes_total", "outcome", "absent"))
	rcs, err := r.st.CaseRechecks(ctx, id)
	require.NoError(t, err)
	require.Len(t, rcs, 1)
	require.Equal(t, recheck.OutcomeAbsent, rcs[0].Outcome)

	// Answered: nothing more is sent, and nothing more is filed.
	clk.Add(resend + time.Second)
	require.NoError(t, r.recheck.Poll(ctx))
	e.none(t)

	// A reviewer overrules the machine.
	d, err = r.cases.Transition(ctx, cases.Request{CaseID: id, To: cases.StatusHandling, Version: d.Version,
		Actor: "li", Role: cases.RoleReviewer, Comment: "仍有摊位"})
	require.NoError(t, err)
	require.Equal(t, cases.StatusHandling, d.Status)
	require.Equal(t, "reopen", d.Audit[len(d.Audit)-1].Action)
}

// TestPresentBackToHandling: "present" sends the case back to the handler
// with the new evidence; reported again later, it is re-checked again.
func TestPresentBackToHandling(t *testing.T) {
	clk := newClock()
	r := newReplica(t, openSQLite(t), clk, filepath.Join(t.TempDir(), "evidence"))
	ctx := ctxT(t)
	e := connect(t, r.client, "edge-01")
	e.heartbeat(t)
	id := reportedCase(t, r, "ev-1")
	require.NoError(t, r.recheck.Poll(ctx))
	req := e.next(t)
	e.answer(t, result(t, req, present, "1 chair in zone z1, best 0.81"))
	e.heartbeat(t)

	d := caseOf(t, r.st, id)
	require.Equal(t, cases.StatusHandling, d.Status)
	a := recheckEntries(d)[0]
	require.Equal(t, "fail_verification", a.Action)
	require.Equal(t, "AI re-check: present (1 chair in zone z1, best 0.81)", a.Comment)
	require.NotNil(t, a.Attachment)

	// The handler reports again: a new re-check for the new version.
	_, err := r.cases.Transition(ctx, cases.Request{CaseID: id, To: cases.StatusReported, Version: d.Version,
		Actor: "wang", Role: cases.RoleHandler, Comment: "已清理"})
	require.NoError(t, err)
	require.NoError(t, r.recheck.Poll(ctx))
	req2 := e.next(t)
	require.NotEqual(t, req.RequestId, req2.RequestId)
	e.answer(t, result(t, req2, absent, "zone z1 clear"))
	e.heartbeat(t)
	require.Equal(t, cases.StatusVerified, caseOf(t, r.st, id).Status)
	require.Equal(t, 2.0, counter(t, r.reg, "xiuhua_recheck_requests_total"))
}

// TestTimeoutStaysReported: an edge that does not answer leaves the case
// reported, with a trail entry saying why; its late answer changes
// nothing.
func TestTimeoutStaysReported(t *testing.T) {
	clk := newClock()
	r := newReplica(t, openSQLite(t), clk, filepath.Join(t.TempDir(), "evidence"))
	ctx := ctxT(t)
	e := connect(t, r.client, "edge-01")
	e.heartbeat(t)
	id := reportedCase(t, r, "ev-1")
	require.NoError(t, r.recheck.Poll(ctx))
	req := e.next(t)

	// Unanswered, it is sent again after resend, not before.
	clk.Add(resend - time.Second)
	e.none(t)
	clk.Add(2 * time.Second)
	e.heartbeat(t)
	require.Equal(t, req.RequestId, e.next(t).RequestId)

	clk.Add(timeout)
	require.NoError(t, r.recheck.Poll(ctx))
	d := caseOf(t, r.st, id)
	require.Equal(t, cases.StatusReported, d.Status)
	entries := recheckEntries(d)
	require.Len(t, entries, 1)
	require.Equal(t, recheck.ActionNote, entries[0].Action)
	require.Equal(t, cases.StatusReported, entries[0].To)
	require.Equal(t, "AI re-check: timeout (no answer from edge edge-01 within 2m0s; waiting for a reviewer)", entries[0].Comment)
	require.Equal(t, 1.0, counter(t, r.reg, "xiuhua_recheck_timeouts_total"))
	require.Equal(t, 1.0, counter(t, r.reg, "xiuhua_recheck_outcomes_total", "outcome", "timeout"))

	// Past its deadline it is not sent, nor filed again.
	require.NoError(t, r.recheck.Poll(ctx))
	e.none(t)

	e.answer(t, result(t, req, absent, "late"))
	e.heartbeat(t)
	d2 := caseOf(t, r.st, id)
	require.Equal(t, cases.StatusReported, d2.Status)
	require.Equal(t, d.Audit, d2.Audit)
	require.Equal(t, 1.0, counter(t, r.reg, "xiuhua_recheck_answers_ignored_total", "reason", "repeated"))
	require.Contains(t, r.logs.String(), "re-check answer ignored: repeated or late")
}

// TestOfflineDevice: a re-check filed while the edge is away waits in the
// database and is sent when the edge connects; one whose edge stays away
// past the timeout is left to a human, saying the edge was offline.
func TestOfflineDevice(t *testing.T) {
	clk := newClock()
	r := newReplica(t, openSQLite(t), clk, filepath.Join(t.TempDir(), "evidence"))
	ctx := ctxT(t)
	id := reportedCase(t, r, "ev-1")
	require.NoError(t, r.recheck.Poll(ctx))
	rcs, err := r.st.CaseRechecks(ctx, id)
	require.NoError(t, err)
	require.Len(t, rcs, 1)
	require.Zero(t, rcs[0].Attempts, "nobody to send it to")

	clk.Add(time.Minute)
	e := connect(t, r.client, "edge-01")
	req := e.next(t) // right after the Welcome
	require.Equal(t, rcs[0].ID, req.RequestId)
	e.answer(t, result(t, req, absent, "zone z1 clear"))
	e.heartbeat(t)
	require.Equal(t, cases.StatusVerified, caseOf(t, r.st, id).Status)

	// Another case, its edge away for good.
	r2 := reportedCase(t, r, "ev-2")
	e.cancel()
	require.Eventually(t, func() bool { return r.ingest.Registry().Len() == 0 }, 10*time.Second, 10*time.Millisecond)
	require.NoError(t, r.recheck.Poll(ctx))
	clk.Add(timeout)
	require.NoError(t, r.recheck.Poll(ctx))
	d := caseOf(t, r.st, r2)
	require.Equal(t, cases.StatusReported, d.Status)
	entries := recheckEntries(d)
	require.Len(t, entries, 1)
	require.Equal(t, "AI re-check: offline (edge edge-01 was offline for 2m0s; waiting for a reviewer)", entries[0].Comment)
	require.Equal(t, 1.0, counter(t, r.reg, "xiuhua_recheck_outcomes_total", "outcome", "offline"))
}

// TestUnavailableAndBadAnswers: an edge that cannot look leaves the case
// to a human with its reason; answers for unknown re-checks, another
// device's, or without an outcome change nothing.
func TestUnavailableAndBadAnswers(t *testing.T) {
	clk := newClock()
	r := newReplica(t, openSQLite(t), clk, filepath.Join(t.TempDir(), "evidence"))
	ctx := ctxT(t)
	e := connect(t, r.client, "edge-01")
	other := connect(t, r.client, "edge-02")
	e.heartbeat(t)
	other.heartbeat(t)
	id := reportedCase(t, r, "ev-1")
	require.NoError(t, r.recheck.Poll(ctx))
	req := e.next(t)
	other.none(t)

	other.answer(t, result(t, req, absent, "not mine"))
	other.heartbeat(t)
	e.answer(t, result(t, &xiuhuav1.RecheckRequest{RequestId: "no-such-recheck"}, absent, ""))
	e.answer(t, &xiuhuav1.RecheckResult{RequestId: req.RequestId})
	e.heartbeat(t)
	require.Equal(t, cases.StatusReported, caseOf(t, r.st, id).Status)
	require.Equal(t, 2.0, counter(t, r.reg, "xiuhua_recheck_answers_ignored_total", "reason", "unknown"))
	require.Equal(t, 1.0, counter(t, r.reg, "xiuhua_recheck_answers_ignored_total", "reason", "invalid"))

	e.answer(t, &xiuhuav1.RecheckResult{RequestId: req.RequestId, Outcome: unavailable,
		Detail: "camera cam-7 is down: no frame in 15s\n"})
	e.heartbeat(t)
	d := caseOf(t, r.st, id)
	require.Equal(t, cases.StatusReported, d.Status)
	entries := recheckEntries(d)
	require.Len(t, entries, 1)
	require.Equal(t, "AI re-check: unavailable (camera cam-7 is down: no frame in 15s); waiting for a reviewer", entries[0].Comment)
	require.Nil(t, entries[0].Attachment)
	require.Equal(t, 1.0, counter(t, r.reg, "xiuhua_recheck_outcomes_total", "outcome", "unavailable"))
}

// TestDuplicateAnswerAppliedOnce: an edge that answers twice (it re-sends
// after a reconnect) moves the case once.
func TestDuplicateAnswerAppliedOnce(t *testing.T) {
	clk := newClock()
	r := newReplica(t, openSQLite(t), clk, filepath.Join(t.TempDir(), "evidence"))
	ctx := ctxT(t)
	e := connect(t, r.client, "edge-01")
	e.heartbeat(t)
	id := reportedCase(t, r, "ev-1")
	require.NoError(t, r.recheck.Poll(ctx))
	req := e.next(t)
	e.answer(t, result(t, req, absent, "zone z1 clear"))
	e.answer(t, result(t, req, present, "changed its mind"))
	e.heartbeat(t)
	d := caseOf(t, r.st, id)
	require.Equal(t, cases.StatusVerified, d.Status)
	require.Len(t, recheckEntries(d), 1)
	require.Equal(t, 1.0, counter(t, r.reg, "xiuhua_recheck_answers_ignored_total", "reason", "repeated"))
}

// TestOfficerFirst: a reviewer who verifies by hand before the edge answers
// wins; the answer is noted, not applied.
func TestOfficerFirst(t *testing.T) {
	clk := newClock()
	r := newReplica(t, openSQLite(t), clk, filepath.Join(t.TempDir(), "evidence"))
	ctx := ctxT(t)
	e := connect(t, r.client, "edge-01")
	e.heartbeat(t)
	id := reportedCase(t, r, "ev-1")
	require.NoError(t, r.recheck.Poll(ctx))
	req := e.next(t)
	_, err := r.cases.Transition(ctx, cases.Request{CaseID: id, To: cases.StatusVerified, Version: 5, Actor: "li", Role: cases.RoleReviewer})
	require.NoError(t, err)
	e.answer(t, result(t, req, present, "1 chair in zone z1"))
	e.heartbeat(t)
	d := caseOf(t, r.st, id)
	require.Equal(t, cases.StatusVerified, d.Status)
	entries := recheckEntries(d)
	require.Len(t, entries, 1)
	require.Equal(t, recheck.ActionNote, entries[0].Action)
	require.True(t, strings.HasSuffix(entries[0].Comment, "not applied: the case had moved to verified"), entries[0].Comment)
	require.NotNil(t, entries[0].Attachment)
	require.Equal(t, 1.0, counter(t, r.reg, "xiuhua_recheck_outcomes_total", "outcome", "superseded"))
}

// TestTwoReplicasOnPostgres: two servers on one PostgreSQL database file
// one re-check for the case however often both poll; the edge holds a
// stream to each and answers on both at once; the case moves once.
func TestTwoReplicasOnPostgres(t *testing.T) {
	dsn := pgtest.Schema(t)
	clk := newClock()
	blobDir := filepath.Join(t.TempDir(), "evidence")
	var reps []*replica
	for range 2 {
		st, err := postgres.Open(context.Background(), dsn)
		require.NoError(t, err)
		t.Cleanup(func() { st.Close() })
		reps = append(reps, newReplica(t, st, clk, blobDir))
	}
	ctx := ctxT(t)
	id := reportedCase(t, reps[0], "ev-1")
	var wg sync.WaitGroup
	for range 3 {
		for _, r := range reps {
			wg.Go(func() { require.NoError(t, r.recheck.Poll(ctx)) })
		}
	}
	wg.Wait()
	rcs, err := reps[0].st.CaseRechecks(ctx, id)
	require.NoError(t, err)
	require.Len(t, rcs, 1)
	require.Equal(t, 1.0, counter(t, reps[0].reg, "xiuhua_recheck_requests_total")+counter(t, reps[1].reg, "xiuhua_recheck_requests_total"))

	// The edge's stream is on replica 0; a second one (after a
	// reconnect through the balancer) on replica 1 gets nothing new.
	e0 := connect(t, reps[0].client, "edge-01")
	req := e0.next(t)
	e1 := connect(t, reps[1].client, "edge-01")
	e1.none(t)

	res := result(t, req, absent, "zone z1 clear")
	e0.answer(t, res)
	e1.answer(t, res)
	e0.heartbeat(t)
	e1.heartbeat(t)
	d := caseOf(t, reps[1].st, id)
	require.Equal(t, cases.StatusVerified, d.Status)
	require.Len(t, recheckEntries(d), 1)
	applied := counter(t, reps[0].reg, "xiuhua_recheck_outcomes_total", "outcome", "absent") +
		counter(t, reps[1].reg, "xiuhua_recheck_outcomes_total", "outcome", "absent")
	ignored := counter(t, reps[0].reg, "xiuhua_recheck_answers_ignored_total", "reason", "repeated") +
		counter(t, reps[1].reg, "xiuhua_recheck_answers_ignored_total", "reason", "repeated")
	require.Equal(t, 1.0, applied)
	require.Equal(t, 1.0, ignored)
}

// oneSink sends every case event to one sink.
type oneSink struct{}

func (oneSink) SinksFor(string) []string { return []string{"platform"} }

// The city platform hears of the re-check's step as of an officer's: the
// same event, with the case as it stands (its unit and assignee included).
func TestStepAnnouncedLikeAnOfficers(t *testing.T) {
	clk := newClock()
	r := newReplica(t, openSQLite(t), clk, filepath.Join(t.TempDir(), "evidence"), func(c *cases.Config, o *recheck.Options) {
		c.Events, o.Events = oneSink{}, oneSink{}
	})
	ctx := ctxT(t)
	e := connect(t, r.client, "edge-01")
	e.heartbeat(t)
	// Dispatched to a unit and a handling officer, then reported.
	require.NoError(t, r.st.CreateUser(ctx, &store.User{Name: "zhao", Role: cases.RoleHandler, PasswordHash: "x"}))
	id, _, err := r.cases.Record(ctx, &store.Report{EventID: "ev-1", DeviceID: "edge-01", CameraID: "cam-7", ZoneID: "z1",
		RuleID: "r1", ViolationType: "street_vending", ObservedAt: time.Now().UTC(),
		Detections: []store.Detection{{ClassName: "chair", Score: 0.8, X: 30, Y: 384, Width: 121, Height: 176}},
		FrameWidth: 768, FrameHeight: 576})
	require.NoError(t, err)
	for i, req := range []cases.Request{
		{To: cases.StatusFiled, Role: cases.RoleReviewer},
		{To: cases.StatusDispatched, Role: cases.RoleDispatcher, Unit: "南京东路街道城管中队", Officer: "zhao"},
		{To: cases.StatusHandling, Role: cases.RoleHandler},
		{To: cases.StatusReported, Role: cases.RoleHandler},
	} {
		req.CaseID, req.Version, req.Actor, req.Comment = id, i+1, "officer", "ok"
		if req.Role == cases.RoleHandler {
			req.Actor = "zhao" // only the officer it was dispatched to handles it
		}
		_, err := r.cases.Transition(ctx, req)
		require.NoError(t, err, "to %s", req.To)
	}
	require.NoError(t, r.recheck.Poll(ctx))
	e.answer(t, result(t, e.next(t), absent, "no chair in zone z1"))
	e.heartbeat(t)
	require.Equal(t, cases.StatusVerified, caseOf(t, r.st, id).Status)

	items, err := r.st.ClaimOutbox(ctx, "test", []string{"platform"}, time.Now().Add(time.Hour), time.Minute, 100)
	require.NoError(t, err)
	var steps []cases.Event
	for _, it := range items {
		var ev cases.Event
		require.NoError(t, json.Unmarshal(it.Payload, &ev))
		if ev.Event == cases.EventTransitioned {
			steps = append(steps, ev)
		}
	}
	require.Len(t, steps, 5, "four officers' steps and the re-check's")
	sort.Slice(steps, func(i, j int) bool { return steps[i].Case.Version < steps[j].Case.Version })
	officer, ai := steps[3], steps[4]
	require.Equal(t, &cases.EventTransition{From: cases.StatusReported, To: cases.StatusVerified, Action: "verify",
		Actor: recheck.Actor, Role: recheck.Role, Comment: "AI re-check: absent (no chair in zone z1)"}, ai.Transition)
	require.Len(t, ai.ID, 36, "a UUID, as every event id")
	require.Equal(t, "zhao", officer.Case.Assignee)
	// The case as the officer's last step left it, one version on.
	want := officer.Case
	want.Status, want.Version = cases.StatusVerified, officer.Case.Version+1
	require.Equal(t, want, ai.Case)
}
