package web

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/store"
)

// testUnits are the test grid's two units, configured.
var testUnits = []cases.Unit{{Code: "NJDL", Name: "南京东路街道城管中队"}, {Code: "WT", Name: "外滩街道城管中队"}}

// newUnitsEnv has units configured and accounts in them: zhao (NJDL),
// sun (WT), zhou (none) and qian (NJDL, disabled) are handlers, wang a
// dispatcher.
func newUnitsEnv(t *testing.T) *env {
	shanghai, err := time.LoadLocation("Asia/Shanghai") // times named 北京时间, as a zh page has them
	require.NoError(t, err)
	e := newEnvCases(t, func(c *cases.Config) { c.Units = testUnits }, func(o *Options) { o.Location = shanghai }, nil)
	ctx := context.Background()
	for _, u := range []struct{ name, role, unit string }{
		{"zhao", cases.RoleHandler, "NJDL"}, {"sun", cases.RoleHandler, "WT"}, {"zhou", cases.RoleHandler, ""},
		{"qian", cases.RoleHandler, "NJDL"}, {"wang", cases.RoleDispatcher, "NJDL"},
	} {
		require.NoError(t, e.auth.AddUserInUnit(ctx, u.name, u.role, u.unit, "correct horse battery"))
	}
	require.NoError(t, e.auth.DisableUser(ctx, "qian"))
	return e
}

// filedIn opens a case at a position (nil: none, so no grid cell) and
// files it.
func (e *env) filedIn(t *testing.T, tag string, at *store.GeoPoint) string {
	id := e.addCase(t, tag, func(r *store.Report) { r.CameraID, r.Location = "cam-"+tag, at })
	_, err := e.cases.Transition(context.Background(), cases.Request{CaseID: id, To: cases.StatusFiled, Version: 1, Actor: "li", Role: cases.RoleReviewer})
	require.NoError(t, err)
	return id
}

var inNJDL = &store.GeoPoint{Lat: 31.2305, Lon: 121.4705} // a 南京东路 cell of the test grid

func TestUnitsAPI(t *testing.T) {
	e := newUnitsEnv(t)
	resp, body := e.get(t, "/api/v1/units")
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
	require.Equal(t, UnitsJSON{Configured: true, Unassigned: []string{"zhou"}, Units: []UnitJSON{
		{Code: "NJDL", Name: "南京东路街道城管中队", Officers: []string{"zhao"}},
		{Code: "WT", Name: "外滩街道城管中队", Officers: []string{"sun"}},
	}}, decode[UnitsJSON](t, body), "enabled handlers only, each in its unit")
	resp, _ = e.get(t, "/api/v1/units?unit=NJDL")
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)

	resp, body = e.get(t, "/api/v1/users")
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
	users := decode[struct{ Users []UserJSON }](t, body).Users
	require.Contains(t, users, UserJSON{Name: "zhao", Role: cases.RoleHandler, Unit: "NJDL"})
	require.Contains(t, users, UserJSON{Name: "qian", Role: cases.RoleHandler, Unit: "NJDL", Disabled: true})
	resp, _ = e.get(t, "/api/v1/users", "Authorization", "Bearer "+e.tokens[cases.RoleDispatcher])
	require.Equal(t, http.StatusForbidden, resp.StatusCode, "accounts are for an admin")

	// Without units configured: the grid's, every handler unassigned.
	plain := newEnv(t)
	require.NoError(t, plain.auth.AddUser(context.Background(), "zhao", cases.RoleHandler, "correct horse battery"))
	_, body = plain.get(t, "/api/v1/units")
	got := decode[UnitsJSON](t, body)
	require.False(t, got.Configured)
	require.Equal(t, []string{"zhao"}, got.Unassigned)
	require.Equal(t, UnitJSON{Code: "南京东路街道城管中队", Name: "南京东路街道城管中队", Officers: []string{}}, got.Units[0])
}

// TestDispatchNeedsKnownUnit: through the API, a dispatch without a known
// unit, or with an officer of another unit, is refused and moves nothing;
// one to the unit's officer goes through and keeps the unit's name.
func TestDispatchNeedsKnownUnit(t *testing.T) {
	e := newUnitsEnv(t)
	bare := e.filedIn(t, "bare", nil)
	placed := e.filedIn(t, "placed", inNJDL)
	for _, tc := range []struct {
		name, id string
		req      TransitionRequestJSON
		want     string
	}{
		{"no unit, none of its own", bare, TransitionRequestJSON{}, `unit: required`},
		{"an unknown unit", bare, TransitionRequestJSON{Unit: "城管大队"}, `unit: invalid value \"城管大队\": no such unit: allowed: NJDL, WT`},
		{"an officer of another unit", placed, TransitionRequestJSON{Unit: "WT", Officer: "zhao"}, `the account is in unit \"NJDL\", not \"WT\"`},
		{"an officer of no unit", placed, TransitionRequestJSON{Officer: "zhou"}, `officer: invalid value \"zhou\"`},
		{"a disabled officer", placed, TransitionRequestJSON{Officer: "qian"}, `the account is disabled`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.req.To, tc.req.Version = cases.StatusDispatched, 2
			resp, body := e.postAs(t, cases.RoleDispatcher, "/api/v1/cases/"+tc.id+"/transitions", "application/json", jsonBody(tc.req))
			require.Equal(t, http.StatusBadRequest, resp.StatusCode, "%s", body)
			require.Contains(t, string(body), tc.want)
			d, err := e.store.GetCase(context.Background(), tc.id)
			require.NoError(t, err)
			require.Equal(t, cases.StatusFiled, d.Status, "nothing moved")
		})
	}
	resp, body := e.postAs(t, cases.RoleDispatcher, "/api/v1/cases/"+bare+"/transitions", "application/json",
		jsonBody(TransitionRequestJSON{To: cases.StatusDispatched, Version: 2, Unit: "WT", Officer: "sun"}))
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
	d := decode[CaseDetailJSON](t, body)
	require.Equal(t, "外滩街道城管中队", d.Case.Unit, "the case keeps the unit's name")
	require.Equal(t, "sun", d.Case.Assignee)
}

// TestDispatchFormLists: the dispatch form offers the configured units,
// the case's own chosen, or a "choose" entry when it has none; and every
// enabled handler marked with its unit for the page to filter.
func TestDispatchFormLists(t *testing.T) {
	e := newUnitsEnv(t)
	wang := e.signInAs(t, "wang")
	p := pageOf(t, wang, "/cases/"+e.filedIn(t, "placed", inNJDL))
	require.Contains(t, p, `<option value="NJDL" selected>南京东路街道城管中队</option><option value="WT">外滩街道城管中队</option>`)
	require.NotContains(t, p, "请选择单位")
	require.Contains(t, p, `<select name="officer" data-by-unit>`)
	require.Contains(t, p, `<option value="zhao" data-unit="NJDL" translate="no">zhao</option><option value="sun" data-unit="WT" translate="no">sun</option>`)
	require.NotContains(t, p, `value="qian"`, "a disabled officer is not offered")
	require.NotContains(t, p, `value="zhou"`, "an officer of no unit cannot be named")

	require.Empty(t, englishOnPage(t, p), "the form speaks Chinese only")
	p = pageOf(t, wang, "/cases/"+e.filedIn(t, "bare", nil))
	require.Contains(t, p, `<option value="" selected>请选择单位</option><option value="NJDL">`, "no unit of its own: the officer chooses")
}

func pageOf(t *testing.T, b *browser, path string) string {
	t.Helper()
	resp, err := b.c.Get(b.base + path)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, path)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(body)
}

// TestDispatchFormFreeText: with no units anywhere (none configured, a
// generated grid without a default unit) the unit is typed, and a
// dispatch still needs one.
func TestDispatchFormFreeText(t *testing.T) {
	e := newEnvWith(t, func(o *Options) { o.Grid = nil }, nil)
	id := e.filedIn(t, "bare", nil)
	p := pageOf(t, e.signIn(t, "wang", cases.RoleDispatcher), "/cases/"+id)
	require.Contains(t, p, `<input name="unit" size="16" required placeholder="填写责任单位名称">`)
	resp, body := e.postAs(t, cases.RoleDispatcher, "/api/v1/cases/"+id+"/transitions", "application/json",
		jsonBody(TransitionRequestJSON{To: cases.StatusDispatched, Version: 2}))
	require.Equal(t, http.StatusBadRequest, resp.StatusCode, "%s", body)
	require.Contains(t, string(body), "unit: required")
	resp, body = e.postAs(t, cases.RoleDispatcher, "/api/v1/cases/"+id+"/transitions", "application/json",
		jsonBody(TransitionRequestJSON{To: cases.StatusDispatched, Version: 2, Unit: "城管中队"}))
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
}
