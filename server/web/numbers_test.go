package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/cases"
)

// TestCaseNumbers: the API carries each case's number and finds a case by
// it (with or without the zeros), the queue's search box finds a closed
// one too, and /cases/<number> leads to the case's page.
func TestCaseNumbers(t *testing.T) {
	e := newEnv(t)
	first := e.addCase(t, "n-1", nil)
	second := e.addCase(t, "n-2", nil)
	_, err := e.cases.Transition(context.Background(), cases.Request{CaseID: second, To: cases.StatusRejected,
		Actor: "li", Role: cases.RoleReviewer, Comment: "影子"})
	require.NoError(t, err)

	_, body := e.get(t, "/api/v1/cases")
	list := decode[CaseListJSON](t, body)
	require.Len(t, list.Cases, 2)
	numbers := map[string]string{}
	for _, c := range list.Cases {
		require.Regexp(t, `^\d{8}-\d{4}$`, c.Number)
		numbers[c.ID] = c.Number
	}
	require.NotEqual(t, numbers[first], numbers[second])

	day, seq, _ := strings.Cut(numbers[second], "-")
	for _, q := range []string{numbers[second], day + "-" + strings.TrimLeft(seq, "0"), second} {
		resp, body := e.get(t, "/api/v1/cases?q="+url.QueryEscape(q))
		require.Equal(t, http.StatusOK, resp.StatusCode, q)
		got := decode[CaseListJSON](t, body)
		require.Len(t, got.Cases, 1, "q=%s", q)
		require.Equal(t, second, got.Cases[0].ID, "q=%s", q)
	}
	resp, _ := e.get(t, "/api/v1/cases?q="+strings.Repeat("9", 65))
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)

	// The queue shows open cases, but a search looks through all.
	resp, body = e.get(t, "/?q="+url.QueryEscape(numbers[second]))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, string(body), `data-case="`+second+`"`)
	require.NotContains(t, string(body), `data-case="`+first+`"`)
	require.Contains(t, string(body), numbers[second])

	resp, body = e.get(t, "/cases/"+numbers[first])
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, casePageURL(first), resp.Request.URL.Path, "followed the redirect to the case")
	require.Contains(t, string(body), numbers[first])
	resp, _ = e.get(t, "/cases/20000101-0001")
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
}
