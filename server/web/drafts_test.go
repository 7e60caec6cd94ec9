package web

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/cases"
)

// TestCasePageForDrafts: the case page gives its script what it needs to
// keep drafts and check photos before sending them (the server's limit,
// each form's step, no browser bubble in place of the named field), and
// the scripts are served. TestBrowserWorkflow shows them at work.
func TestCasePageForDrafts(t *testing.T) {
	e := newEnvWith(t, func(o *Options) { o.MaxAttachmentBytes = 3 << 20 }, nil)
	ctx := context.Background()
	require.NoError(t, e.auth.AddUser(ctx, "zhao", cases.RoleHandler, "correct horse battery"))
	id := e.addCase(t, "drafts-1", nil)
	for _, step := range []cases.Request{{To: cases.StatusFiled}, {To: cases.StatusDispatched, Officer: "zhao", Unit: "城管中队"}, {To: cases.StatusHandling}} {
		d, err := e.store.GetCase(ctx, id)
		require.NoError(t, err)
		step.CaseID, step.Version, step.Actor, step.Role = id, d.Version, "seed", cases.RoleAdmin
		_, err = e.cases.Transition(ctx, step)
		require.NoError(t, err, step.To)
	}

	resp, body := e.get(t, "/cases/"+id)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	for _, want := range []string{`data-max-bytes="3145728"`, `data-action="report"`, `data-form="report" novalidate`,
		`<script src="/static/drafts.js" defer></script>`, `<script src="/static/notice.js" defer></script>`} {
		require.Contains(t, string(body), want)
	}
	for path, want := range map[string]string{"/static/drafts.js": "window.XiuhuaDrafts", "/static/notice.js": "window.XiuhuaNotice"} {
		resp, body := e.get(t, path)
		require.Equal(t, http.StatusOK, resp.StatusCode, path)
		require.Contains(t, string(body), want, path)
	}
}
