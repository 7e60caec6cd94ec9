package web

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/internal/browsertest"
	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/store"
)

// TestBrowserDispatch runs hack/browser/dispatch.mjs in headless Chromium
// with units configured: dispatch from the lists, a dispatch without a
// unit refused in Chinese, a unit's case closed to another unit's handler,
// each role's own queue and heading, 超期, c c filing, and the phone's
// filters. Screenshots go to hack/browser/artefacts/dispatch.
func TestBrowserDispatch(t *testing.T) {
	browsertest.Check(t)
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	e := newEnvCases(t, func(c *cases.Config) { c.Units = testUnits }, func(o *Options) { o.Location = shanghai }, nil)
	ctx := context.Background()
	for _, u := range []struct{ name, role, unit string }{
		{"li", cases.RoleReviewer, ""}, {"wang", cases.RoleDispatcher, "NJDL"}, {"zhao", cases.RoleHandler, "NJDL"},
		{"sun", cases.RoleHandler, "WT"}, {"root", cases.RoleAdmin, ""},
	} {
		require.NoError(t, e.auth.AddUserInUnit(ctx, u.name, u.role, u.unit, browserPassword))
	}
	fileAt := func(tag string, at time.Time, where *store.GeoPoint) string {
		id := e.addCase(t, "dispatch-"+tag, func(r *store.Report) {
			r.CameraID, r.Location, r.ObservedAt = "cam-"+tag, where, time.Now()
		})
		require.NoError(t, e.store.Transition(ctx, store.Transition{CaseID: id, Version: 1, From: cases.StatusPendingReview,
			To: cases.StatusFiled, Actor: "seed", Role: cases.RoleAdmin, Action: "file", At: at}))
		return id
	}
	now := time.Now()
	c := map[string]string{
		"placed": fileAt("placed", now, inNJDL),
		"bare":   fileAt("bare", now, nil),
		"unit":   fileAt("unit", now, inNJDL),
		"late":   fileAt("late", now.Add(-5*time.Hour), nil),
		"later":  fileAt("later", now.Add(-90*time.Minute), nil),
		"review": e.addCase(t, "dispatch-review", func(r *store.Report) { r.CameraID, r.ObservedAt = "cam-review", now }),
	}
	_, err = e.cases.Transition(ctx, cases.Request{CaseID: c["unit"], To: cases.StatusDispatched, Version: 2, Actor: "wang",
		Role: cases.RoleDispatcher, Unit: "NJDL"})
	require.NoError(t, err)

	cj, _ := json.Marshal(c)
	browsertest.Run(t, "dispatch", 4*time.Minute, map[string]string{
		"XIUHUA_BASE_URL": e.srv.URL,
		"XIUHUA_PASSWORD": browserPassword,
		"XIUHUA_CASES":    string(cj),
	})

	// What the browser did is in the database.
	for tag, want := range map[string]struct{ status, unit, officer string }{
		"placed": {cases.StatusDispatched, "南京东路街道城管中队", "zhao"},
		"bare":   {cases.StatusFiled, "", ""},
		"unit":   {cases.StatusHandling, "南京东路街道城管中队", ""},
		"review": {cases.StatusFiled, "", ""},
	} {
		d, err := e.store.GetCase(ctx, c[tag])
		require.NoError(t, err)
		require.Equal(t, want, struct{ status, unit, officer string }{d.Status, d.Unit, d.Assignee}, tag)
	}
}
