package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/store"
)

// TestOverdueView: 超期 lists the open cases past their stage's deadline,
// most overdue first, and nothing else; the API's overdue=true alike. A
// handler has no 超期 tab.
func TestOverdueView(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	fileAt := func(tag string, at time.Time) string {
		id := e.addCase(t, tag, func(r *store.Report) { r.CameraID = "cam-" + tag })
		require.NoError(t, e.store.Transition(ctx, store.Transition{CaseID: id, Version: 1, From: cases.StatusPendingReview,
			To: cases.StatusFiled, Actor: "seed", Role: cases.RoleAdmin, Action: "file", At: at}))
		return id
	}
	now := time.Now()
	late := fileAt("late", now.Add(-5*time.Hour))      // filed: 1 h deadline, 4 h late
	later := fileAt("later", now.Add(-90*time.Minute)) // 30 min late
	onTime := fileAt("on-time", now.Add(-10*time.Minute))
	fresh := e.addCase(t, "fresh", func(r *store.Report) { r.CameraID = "cam-fresh" }) // pending review since now
	rejected := e.addCase(t, "rejected", func(r *store.Report) { r.CameraID = "cam-rejected" })
	require.NoError(t, e.store.Transition(ctx, store.Transition{CaseID: rejected, Version: 1, From: cases.StatusPendingReview,
		To: cases.StatusRejected, Actor: "seed", Role: cases.RoleAdmin, Action: "reject", At: now.Add(-48 * time.Hour)}))

	wang := e.signIn(t, "wang", cases.RoleDispatcher)
	p := pageOf(t, wang, "/?view=overdue")
	require.Contains(t, p, "<title>超期 · ")
	require.Contains(t, p, "<h2>超期 <small>超期最久的在前</small></h2>")
	require.Contains(t, p, `<a class="view view-overdue on" href="/?view=overdue" aria-current="page">超期</a>`)
	i, j := strings.Index(p, `data-case="`+late+`"`), strings.Index(p, `data-case="`+later+`"`)
	require.True(t, i > 0 && j > i, "most overdue first")
	for _, id := range []string{onTime, fresh, rejected} {
		require.NotContains(t, p, `data-case="`+id+`"`, "not overdue")
	}
	require.Contains(t, p, `<small class="late">逾期 4小时0`, "how late it is")

	_, body := e.get(t, "/api/v1/cases?overdue=true")
	got := decode[CaseListJSON](t, body)
	require.Len(t, got.Cases, 2)
	require.Equal(t, []string{late, later}, []string{got.Cases[0].ID, got.Cases[1].ID})
	resp, _ := e.get(t, "/api/v1/cases?overdue=yes")
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	_, body = e.get(t, "/api/v1/cases?overdue=true&limit=1")
	first := decode[CaseListJSON](t, body)
	require.Equal(t, late, first.Cases[0].ID)
	_, body = e.get(t, "/api/v1/cases?overdue=true&limit=1&cursor="+first.NextCursor)
	require.Equal(t, later, decode[CaseListJSON](t, body).Cases[0].ID, "the next page")

	zhao := e.signIn(t, "zhao", cases.RoleHandler)
	require.NotContains(t, pageOf(t, zhao, "/"), "view-overdue", "a handler's late cases are in my tasks")
}

// TestQueueHeadings: each role lands on its own view, whose name is the
// heading and the title; the review keys are offered only where a row can
// be filed; the phone's filters start open when a filter is set.
func TestQueueHeadings(t *testing.T) {
	e := newEnv(t)
	e.addCase(t, "e1", nil)
	for _, tc := range []struct {
		name, role, view string
		keys             bool
	}{
		{"li", cases.RoleReviewer, "待审核", true},
		{"wang", cases.RoleDispatcher, "待派遣", false},
		{"zhao", cases.RoleHandler, "我的任务", false},
		{"root", cases.RoleAdmin, "全部未结", true},
	} {
		t.Run(tc.role, func(t *testing.T) {
			p := pageOf(t, e.signIn(t, tc.name, tc.role), "/")
			require.Contains(t, p, "<title>"+tc.view+" · ")
			require.Contains(t, p, "<h2>"+tc.view+"</h2>")
			require.NotContains(t, p, "案件审核队列")
			require.Equal(t, tc.keys, strings.Contains(p, "c c 立案"), "review keys")
			require.Contains(t, p, "j / k", "moving through the list works everywhere")
			require.Contains(t, p, `<input type="checkbox" id="filters-open" class="filters-open">`, "filters closed on a phone")
		})
	}
	b := e.signIn(t, "chen", cases.RoleReviewer)
	p := pageOf(t, b, "/?type=street_vending&status=&grid=")
	require.Contains(t, p, "<h2>案件查询</h2>", "the officer's own filters")
	require.Contains(t, p, `<input type="checkbox" id="filters-open" class="filters-open" checked>`, "a filter set: open")
	p = pageOf(t, b, "/?view=verify&lang=en")
	require.Contains(t, p, "<h2>To verify</h2>")
}
