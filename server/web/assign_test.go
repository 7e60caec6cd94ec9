package web

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/store"
)

// TestDispatchAPI: the dispatch step takes a unit and an officer, refuses
// an officer who is not an enabled handler with 400 naming the field, and
// stores both on the case and in the audit entry; the list filters by
// assignee.
func TestDispatchAPI(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for name, role := range map[string]string{"zhao": cases.RoleHandler, "qian": cases.RoleHandler, "li": cases.RoleReviewer} {
		require.NoError(t, e.auth.AddUser(ctx, name, role, "correct horse battery"))
	}
	require.NoError(t, e.store.SetUserDisabled(ctx, "qian", true))
	id := e.addCase(t, "e1", func(r *store.Report) { r.Location = &store.GeoPoint{Lat: 31.2305, Lon: 121.4705} })
	other := e.addCase(t, "e2", func(r *store.Report) { r.CameraID = "cam-8" })
	path := "/api/v1/cases/" + id + "/transitions"

	resp, body := e.postAs(t, cases.RoleReviewer, path, "application/json", jsonBody(TransitionRequestJSON{To: "filed", Version: 1, Officer: "zhao"}))
	require.Equal(t, http.StatusBadRequest, resp.StatusCode, "%s", body)
	require.Contains(t, decode[TransitionErrorJSON](t, body).Error, "officer: only the dispatch step")
	resp, body = e.postAs(t, cases.RoleReviewer, path, "application/json", jsonBody(TransitionRequestJSON{To: "filed", Version: 1}))
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)

	for _, tc := range []struct {
		name string
		req  TransitionRequestJSON
		want string
	}{
		{"no such officer", TransitionRequestJSON{Officer: "nobody"}, `officer: invalid value \"nobody\": no such account`},
		{"disabled", TransitionRequestJSON{Officer: "qian"}, `officer: invalid value \"qian\": the account is disabled`},
		{"not a handler", TransitionRequestJSON{Officer: "li"}, `officer: invalid value \"li\": the account's role is reviewer`},
		{"SQL for a name", TransitionRequestJSON{Officer: "zhao' OR '1'='1"}, `officer: invalid value`},
		{"a unit with a newline", TransitionRequestJSON{Unit: "a\nb", Officer: "zhao"}, `unit: invalid value`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.req.To, tc.req.Version = "dispatched", 2
			resp, body := e.postAs(t, cases.RoleDispatcher, path, "application/json", jsonBody(tc.req))
			require.Equal(t, http.StatusBadRequest, resp.StatusCode, "%s", body)
			require.Contains(t, string(body), tc.want)
		})
	}
	resp, body = e.postAs(t, cases.RoleDispatcher, path, "application/json",
		jsonBody(TransitionRequestJSON{To: "dispatched", Version: 2, Unit: "外滩街道城管中队", Officer: "zhao", Comment: "当天处理"}))
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
	d := decode[CaseDetailJSON](t, body)
	require.Equal(t, "外滩街道城管中队", d.Case.Unit)
	require.Equal(t, "zhao", d.Case.Assignee)
	last := d.Audit[len(d.Audit)-1]
	require.Equal(t, &AssigneeJSON{Unit: "外滩街道城管中队", Officer: "zhao"}, last.Assign)
	require.Equal(t, "当天处理", last.Comment, "the comment is the dispatcher's note alone")
	require.Nil(t, d.Audit[1].Assign, "confirming assigned nothing")

	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"assignee=zhao", []string{id}},
		{"assignee=zhao&status=dispatched", []string{id}},
		{"assignee=zhao&status=filed", nil},
		{"assignee=li", nil},
		{"", []string{other, id}},
	} {
		t.Run(tc.query, func(t *testing.T) {
			resp, body := e.get(t, "/api/v1/cases?"+tc.query)
			require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
			var got []string
			for _, c := range decode[CaseListJSON](t, body).Cases {
				got = append(got, c.ID)
			}
			require.Equal(t, tc.want, got)
		})
	}
}

// TestAssigneePages: the case page and the queue show who a case was sent
// to, the audit entry says it, and a handler lands on "my tasks"; other
// roles do not have it.
func TestAssigneePages(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	zhao := e.signIn(t, "zhao", cases.RoleHandler)
	mine := e.addCase(t, "e1", func(r *store.Report) { r.Location = &store.GeoPoint{Lat: 31.2305, Lon: 121.4705} })
	notMine := e.addCase(t, "e2", func(r *store.Report) { r.CameraID = "cam-8" })
	_, err := e.cases.Transition(ctx, cases.Request{CaseID: mine, To: "filed", Version: 1, Actor: "li", Role: cases.RoleReviewer})
	require.NoError(t, err)
	_, err = e.cases.Transition(ctx, cases.Request{CaseID: mine, To: "dispatched", Version: 2, Actor: "wang", Role: cases.RoleDispatcher, Officer: "zhao"})
	require.NoError(t, err)
	page := func(b *browser, path string) string {
		t.Helper()
		resp, err := b.c.Get(e.srv.URL + path)
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return string(body)
	}

	p := page(zhao, "/cases/"+mine)
	require.Contains(t, p, `责任单位 <span class="unit">南京东路街道城管中队</span> · 处置人员 <span class="officer" translate="no">zhao</span>`, "the case page head")
	require.Contains(t, p, `<p class="assign">派遣至 <span class="unit">南京东路街道城管中队</span> · 处置人员 <span class="officer" translate="no">zhao</span></p>`, "the audit entry")

	// A handler lands on my tasks: the cases dispatched to them.
	q := page(zhao, "/")
	require.Contains(t, q, `<a class="view view-mine on" href="/?view=mine" aria-current="page">我的任务</a>`, "a handler lands on my tasks")
	require.Contains(t, q, `data-case="`+mine+`"`)
	require.NotContains(t, q, `data-case="`+notMine+`"`, "my tasks only")
	require.Contains(t, q, `<small class="assignee">处置人员 <span translate="no">zhao</span></small>`, "the queue shows the assignee")
	require.Contains(t, q, `<input type="hidden" name="assignee" value="zhao">`, "other filters keep it")
	q = page(zhao, "/?view=open")
	require.Contains(t, q, `data-case="`+notMine+`"`, "one click shows every open case")
	q = page(zhao, "/?view=mine&lang=en")
	require.Contains(t, q, ">My tasks</a>")
	require.Contains(t, q, `<small class="assignee">Officer <span translate="no">zhao</span></small>`)

	li := e.signIn(t, "li", cases.RoleReviewer)
	q = page(li, "/?view=open&lang=zh-CN")
	require.NotContains(t, q, "我的任务", "only handlers get my tasks")
	require.True(t, strings.Contains(q, `data-case="`+mine+`"`))

	// The dispatch form on a filed case: the unit preselected, the officer free.
	wang := e.signIn(t, "wang", cases.RoleDispatcher)
	filed := e.addCase(t, "e3", func(r *store.Report) {
		r.CameraID = "cam-9"
		r.Location = &store.GeoPoint{Lat: 31.2305, Lon: 121.4805}
	})
	_, err = e.cases.Transition(ctx, cases.Request{CaseID: filed, To: "filed", Version: 1, Actor: "li", Role: cases.RoleReviewer})
	require.NoError(t, err)
	p = page(wang, "/cases/"+url.PathEscape(filed))
	require.Contains(t, p, `<option value="外滩街道城管中队" selected>外滩街道城管中队</option>`, "the case's own unit chosen")
	require.Contains(t, p, `<option value="南京东路街道城管中队">南京东路街道城管中队</option>`, "the grid's other unit offered")
	require.Contains(t, p, `<option value="zhao" data-unit="" translate="no">zhao</option>`, "the handlers offered")
	require.NotContains(t, p, `data-by-unit`, "without units configured every handler is offered")
}

// TestQueueViews: each role lands on its own work, the views are one click
// away, and no queue but "all" shows closed or rejected cases.
func TestQueueViews(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	at := map[string]string{}
	steps := map[string][]string{
		cases.StatusPendingReview: nil,
		cases.StatusFiled:         {cases.StatusFiled},
		cases.StatusReported:      {cases.StatusFiled, cases.StatusDispatched, cases.StatusHandling, cases.StatusReported},
		cases.StatusRejected:      {cases.StatusRejected},
		cases.StatusClosed:        {cases.StatusFiled, cases.StatusDispatched, cases.StatusHandling, cases.StatusReported, cases.StatusVerified, cases.StatusClosed},
	}
	for status, path := range steps {
		id := e.addCase(t, "q-"+status, nil)
		for i, to := range path {
			_, err := e.cases.Transition(ctx, cases.Request{CaseID: id, To: to, Version: i + 1, Actor: "seed", Role: cases.RoleAdmin, Comment: "理由", Unit: unitFor(to)})
			require.NoError(t, err)
		}
		at[status] = id
	}
	get := func(b *browser, path string) string {
		t.Helper()
		resp, err := b.c.Get(e.srv.URL + path)
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return string(body)
	}
	shows := func(page string) []string {
		var out []string
		for _, st := range cases.Statuses {
			if id, ok := at[st]; ok && strings.Contains(page, `data-case="`+id+`"`) {
				out = append(out, st)
			}
		}
		return out
	}
	li := e.signIn(t, "li", cases.RoleReviewer)
	wang := e.signIn(t, "wang", cases.RoleDispatcher)
	admin := e.signIn(t, "boss", cases.RoleAdmin)
	for _, tc := range []struct {
		name string
		b    *browser
		path string
		view string
		want []string
	}{
		{"reviewer lands on 待审核", li, "/", "review", []string{cases.StatusPendingReview}},
		{"dispatcher lands on 待派遣", wang, "/", "dispatch", []string{cases.StatusFiled}},
		{"admin lands on open cases", admin, "/", "open", []string{cases.StatusPendingReview, cases.StatusFiled, cases.StatusReported}},
		{"待核查", li, "/?view=verify", "verify", []string{cases.StatusReported}},
		{"the language switch keeps the landing view", li, "/?lang=zh-CN", "review", []string{cases.StatusPendingReview}},
		{"a filter without a status: open cases", li, "/?type=street_vending", "", []string{cases.StatusPendingReview, cases.StatusFiled, cases.StatusReported}},
		{"all, closed too", li, "/?view=all", "all", []string{cases.StatusPendingReview, cases.StatusFiled, cases.StatusRejected, cases.StatusReported, cases.StatusClosed}},
		{"one status asked for", li, "/?status=closed", "", []string{cases.StatusClosed}},
		{"status all from the form", li, "/?status=all&type=street_vending", "", []string{cases.StatusPendingReview, cases.StatusFiled, cases.StatusRejected, cases.StatusReported, cases.StatusClosed}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			page := get(tc.b, tc.path)
			require.ElementsMatch(t, tc.want, shows(page))
			if tc.view != "" {
				require.Contains(t, page, `class="view view-`+tc.view+` on"`)
			} else {
				require.NotContains(t, page, ` on" href="/?view=`, "no view is marked when the filters are the officer's own")
			}
		})
	}
}

// unitFor is the unit a seeding step names: a dispatch must name one when
// the case has none of its own (no position, no grid cell).
func unitFor(to string) string {
	if to == cases.StatusDispatched {
		return "城管中队"
	}
	return ""
}
