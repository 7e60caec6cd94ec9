package web

import (
	"net/url"

	"github.com/xiuhua/xiuhua/server/cases"
)

// The queue's views: each role's work list, one click away, and the one a
// role lands on. A view is a preset of the filters, so the filter form
// still narrows it, and the live updates refetch the same URL.
const (
	viewReview   = "review"   // 待审核: pending review
	viewDispatch = "dispatch" // 待派遣: filed, waiting for a dispatcher
	viewMine     = "mine"     // 我的任务: dispatched to the signed-in handler
	viewUnit     = "unit"     // 本单位待接收: dispatched to the handler's unit
	viewVerify   = "verify"   // 待核查: reported back, waiting for a reviewer
	viewOverdue  = "overdue"  // 超期: open and past the stage's deadline, most overdue first
	viewOpen     = "open"     // 全部未结: every case not closed or rejected
	viewAll      = "all"      // 全部: closed and rejected cases too

	// statusAll is the status filter's value for "any status"; an empty
	// status is open cases only, so closed ones never crowd a queue.
	statusAll = "all"
)

// landingView is where a role starts: its own work.
func landingView(role string) string {
	switch role {
	case cases.RoleReviewer:
		return viewReview
	case cases.RoleDispatcher:
		return viewDispatch
	case cases.RoleHandler:
		return viewMine
	}
	return viewOpen
}

// queueQuery applies the view named in q, or the role's landing view when
// q names no filter at all, and returns the filters and the view's name
// ("" when the filters are the officer's own). unit is the name of the
// signed-in officer's unit, "" for none.
func queueQuery(q url.Values, role, user, unit string) (url.Values, string) {
	out := url.Values{}
	bare := true
	for k, v := range q {
		out[k] = v
		if k != "lang" && k != "view" {
			bare = false
		}
	}
	view := q.Get("view")
	if view == "" && bare {
		view = landingView(role)
	}
	out.Del("view")
	switch view {
	case viewReview:
		out.Set("status", cases.StatusPendingReview)
	case viewDispatch:
		out.Set("status", cases.StatusFiled)
	case viewVerify:
		out.Set("status", cases.StatusReported)
	case viewOverdue:
		out.Set("overdue", "true")
		out.Del("status")
	case viewMine:
		out.Set("assignee", user)
		out.Del("status")
	case viewUnit:
		if unit == "" {
			return out, ""
		}
		// The unit's dispatched cases: those without a named officer are
		// for any of its handlers to accept.
		out.Set("unit", unit)
		out.Set("status", cases.StatusDispatched)
	case viewOpen:
		out.Del("status")
	case viewAll:
		out.Set("status", statusAll)
	default:
		view = ""
	}
	return out, view
}

// openStatuses are the statuses of cases still being worked on.
func openStatuses() []string {
	var out []string
	for _, s := range cases.Statuses {
		if cases.Open(s) {
			out = append(out, s)
		}
	}
	return out
}

// queueTab is one view's link above the queue.
type queueTab struct {
	Key, Label, URL string
	Current         bool
}

// queueTabs are the views an officer may pick; "my tasks" and "my unit's"
// only for a handler (the latter with a unit), who alone is dispatched
// cases; 超期 for those who chase late cases (reviewers, dispatchers,
// admins), not for a handler, whose late cases are in "my tasks", marked.
func (p *pageBase) queueTabs(current string, hasUnit bool) []queueTab {
	keys := []string{viewReview, viewDispatch, viewMine, viewUnit, viewVerify, viewOverdue, viewOpen, viewAll}
	var out []queueTab
	for _, k := range keys {
		handler := p.Role == cases.RoleHandler
		if (k == viewMine && !handler) || (k == viewUnit && !(handler && hasUnit)) || (k == viewOverdue && handler) {
			continue
		}
		out = append(out, queueTab{Key: k, Label: p.T("view." + k), URL: "/?view=" + k, Current: k == current})
	}
	return out
}

// queueHeading is the key of the queue's heading and title: the view's
// name, or "cases" for filters of the officer's own.
func queueHeading(view string) string {
	if view == "" {
		return "queue.title"
	}
	return "view." + view
}

// filterSet reports whether the officer set a filter of the form (the
// phone's filters then show open).
func filterSet(q url.Values) bool {
	for _, k := range []string{"type", "status", "grid", "unit", "from", "to"} {
		if q.Get(k) != "" {
			return true
		}
	}
	return false
}
