package web

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/http/httpguts"

	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/store"
)

func (e *env) post(t *testing.T, path, contentType, body string) (*http.Response, []byte) {
	t.Helper()
	return e.postAs(t, cases.RoleAdmin, path, contentType, body)
}

// postAs posts with the API token of role.
func (e *env) postAs(t *testing.T, role, path, contentType, body string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+e.tokens[role])
	resp, err := e.srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, b
}

func jsonBody(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestTransitionAPI(t *testing.T) {
	e := newEnv(t)
	id := e.addCase(t, "e1", func(r *store.Report) { r.Location = &store.GeoPoint{Lat: 31.2305, Lon: 121.4705} })
	path := "/api/v1/cases/" + id + "/transitions"

	// The case as listed: workflow fields, codes, position in both systems, grid.
	_, body := e.get(t, "/api/v1/cases/"+id)
	d := decode[CaseDetailJSON](t, body)
	require.Equal(t, 1, d.Case.Version)
	require.Equal(t, []string{"filed", "rejected"}, d.Allowed)
	require.Equal(t, "05", d.Case.EventCode.Category)
	require.Equal(t, "无照经营游商", d.Case.EventCode.SubcategoryName)
	require.NotNil(t, d.Case.Deadline)
	require.Equal(t, "310101001001", d.Case.GridCode)
	require.Equal(t, "南京东路街道城管中队", d.Case.Unit)
	require.Equal(t, &LocationJSON{Lat: 31.2305, Lon: 121.4705}, d.Case.Location)
	require.NotEqual(t, d.Case.Location, d.Case.LocationGCJ02)
	require.Len(t, d.Audit, 1)

	tests := []struct {
		name        string
		role        string
		contentType string
		body        string
		code        int
		want        string
	}{
		{"skip a stage", "admin", "application/json", jsonBody(TransitionRequestJSON{To: "closed"}), 409,
			`"allowed": [
    "filed",
    "rejected"
  ]`},
		{"wrong role", "handler", "application/json", jsonBody(TransitionRequestJSON{To: "filed"}), 403, `"allowed_roles": [
    "reviewer",
    "admin"
  ]`},
		{"stale version", "reviewer", "application/json", jsonBody(TransitionRequestJSON{To: "filed", Version: 9}), 409, `"version": 1`},
		{"reject without reason", "reviewer", "application/json", jsonBody(TransitionRequestJSON{To: "rejected"}), 400, "needs a comment"},
		{"unknown status", "reviewer", "application/json", jsonBody(TransitionRequestJSON{To: "' OR 1=1 --"}), 400, `to: invalid value`},
		{"actor in the body", "handler", "application/json", `{"to": "filed", "actor": "li", "role": "reviewer"}`, 400, `unknown field "actor"`},
		{"malformed", "reviewer", "application/json", `{"to": "filed",`, 400, "malformed JSON"},
		{"unknown field", "reviewer", "application/json", `{"to": "filed", "force": true}`, 400, `unknown field "force"`},
		{"two objects", "reviewer", "application/json", `{"to": "filed"} {}`, 400, "one JSON object"},
		{"wrong type", "reviewer", "application/json", `{"to": 7}`, 400, "malformed JSON"},
		{"not JSON", "reviewer", "text/plain", `to=filed`, 400, "Content-Type"},
		{"too big", "reviewer", "application/json", `{"comment": "` + strings.Repeat("x", maxJSONBody) + `"}`, 400, "more than"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := e.postAs(t, tc.role, path, tc.contentType, tc.body)
			require.Equal(t, tc.code, resp.StatusCode, "%s", body)
			// The raw body for JSON fragments, the decoded error for text.
			require.Contains(t, string(body)+decode[TransitionErrorJSON](t, body).Error, tc.want)
		})
	}
	resp, body := e.post(t, "/api/v1/cases/01JXXXXXXXXXXXXXXXXXXXXXXX/transitions", "application/json",
		jsonBody(TransitionRequestJSON{To: "filed"}))
	require.Equal(t, http.StatusNotFound, resp.StatusCode, "%s", body)
	_, body = e.get(t, "/api/v1/cases/"+id)
	require.Len(t, decode[CaseDetailJSON](t, body).Audit, 1, "refusals change nothing")

	// The whole way through, each step with the version it saw.
	version := 1
	for _, s := range []struct{ to, role, comment string }{
		{"filed", "reviewer", "证据清楚"}, {"dispatched", "dispatcher", ""}, {"handling", "handler", ""},
		{"reported", "handler", "已劝离"}, {"handling", "reviewer", "复查仍在"}, {"reported", "handler", "已清理"},
		{"verified", "reviewer", ""}, {"closed", "dispatcher", ""},
	} {
		resp, body := e.postAs(t, s.role, path, "application/json; charset=utf-8",
			jsonBody(TransitionRequestJSON{To: s.to, Comment: s.comment, Version: version}))
		require.Equal(t, http.StatusOK, resp.StatusCode, "to %s: %s", s.to, body)
		version++
		d := decode[CaseDetailJSON](t, body)
		require.Equal(t, s.to, d.Case.Status)
		require.Equal(t, version, d.Case.Version)
	}
	_, body = e.get(t, "/api/v1/cases/"+id)
	d = decode[CaseDetailJSON](t, body)
	require.Len(t, d.Audit, 9)
	require.Empty(t, d.Allowed)
	require.Nil(t, d.Case.Deadline, "closed: no deadline")
	require.False(t, d.Case.Overdue)
	require.Contains(t, d.StageTimes, "verified")
	require.Equal(t, "复查仍在", d.Audit[5].Comment)
}

// TestFiltersAreHarmless sends SQL-looking strings in every filter: each
// is refused with a message or matches nothing, and the data is intact.
func TestFiltersAreHarmless(t *testing.T) {
	e := newEnv(t)
	id := e.addCase(t, "e1", nil)
	evil := []string{"' OR '1'='1", "x'; DROP TABLE cases; --", `" OR ""="`, "1 UNION SELECT * FROM reports", "%", "\x00", "\\'"}
	for _, v := range evil {
		for _, p := range []struct {
			param string
			code  int
		}{
			{"status", 400}, {"type", 200}, {"grid", 200}, {"unit", 200}, {"assignee", 200}, {"from", 400}, {"to", 400}, {"cursor", 400}, {"limit", 400},
		} {
			for _, path := range []string{"/api/v1/cases", "/api/v1/stats", "/"} {
				if path != "/api/v1/cases" && (p.param == "cursor" || p.param == "limit") {
					continue
				}
				q := url.Values{p.param: {v}}
				resp, body := e.get(t, path+"?"+q.Encode())
				require.Equal(t, p.code, resp.StatusCode, "%s %s=%q: %s", path, p.param, v, body)
				if path == "/api/v1/cases" && p.code == 200 {
					require.Empty(t, decode[CaseListJSON](t, body).Cases)
				}
			}
		}
	}
	_, body := e.get(t, "/api/v1/cases")
	require.Equal(t, id, decode[CaseListJSON](t, body).Cases[0].ID, "still there")
	resp, _ := e.get(t, "/api/v1/cases/"+url.PathEscape("' OR 1=1 --"))
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
}

func TestFilterAPI(t *testing.T) {
	e := newEnv(t)
	a := e.addCase(t, "a", func(r *store.Report) { r.Location = &store.GeoPoint{Lat: 31.2305, Lon: 121.4705} })
	b := e.addCase(t, "b", func(r *store.Report) {
		r.ViolationType = "street_laundry"
		r.Location = &store.GeoPoint{Lat: 31.2305, Lon: 121.4805}
	})
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"type=street_laundry", []string{b}},
		{"grid=310101001001", []string{a}},
		{"unit=" + url.QueryEscape("外滩街道城管中队"), []string{b}},
		{"from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00%2B08:00", []string{b, a}},
		{"to=2000-01-01T00:00:00Z", nil},
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

	_, body := e.get(t, "/api/v1/stats")
	st := decode[StatsJSON](t, body)
	require.Equal(t, 2, st.Total)
	require.Equal(t, map[string]int{"street_vending": 1, "street_laundry": 1}, st.ByType)
	require.Equal(t, map[string]int{"310101001001": 1, "310101002001": 1}, st.ByGrid)
	require.Equal(t, map[string]int{"pending_review": 2}, st.ByStatus)
	require.Len(t, st.ByDay, 1)

	_, body = e.get(t, "/api/v1/grid/cells")
	cells := decode[GridCellsJSON](t, body).Cells
	require.Len(t, cells, 3)
	first := cells[0]
	require.Equal(t, "310101001001", first.Code)
	require.Equal(t, "南京东路 1 号网格", first.Name)
	require.Equal(t, "南京东路街道城管中队", first.Unit)
	// The outline as in the GeoJSON file, and shifted for Chinese maps.
	require.Equal(t, MultiPolygonJSON{Type: "MultiPolygon", Coordinates: [][][][2]float64{{{
		{121.470, 31.230}, {121.471, 31.230}, {121.471, 31.231}, {121.470, 31.231}, {121.470, 31.230}}}}}, first.Geometry)
	g := first.GeometryGCJ02.Coordinates[0][0][0]
	require.InDelta(t, 121.470+0.0045, g[0], 0.001, "GCJ-02 is some 400 m east in Shanghai")
	require.InDelta(t, 31.230-0.002, g[1], 0.001, "and some 200 m south")
	// The second cell has a hole: two rings.
	require.Len(t, cells[1].Geometry.Coordinates[0], 2)
	resp, _ := e.get(t, "/api/v1/grid/cells?x=1")
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
}

// TestOpenAPIMatchesRoutes holds the OpenAPI document and the mux to each
// other: every documented route is in the document with its method, every
// path in the document is a route, and the document is what is served.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	e := newEnv(t)
	resp, body := e.get(t, "/api/v1/openapi.json")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	require.NoError(t, json.Unmarshal(body, &doc))
	require.True(t, strings.HasPrefix(doc.OpenAPI, "3."))

	var inDoc, inMux []string
	for p, ops := range doc.Paths {
		for m := range ops {
			inDoc = append(inDoc, strings.ToUpper(m)+" "+p)
		}
	}
	s := newServer(Options{Cases: e.cases})
	undocumented := 0
	for _, rt := range s.routes() {
		if !rt.Documented {
			undocumented++
			require.False(t, strings.HasPrefix(rt.Pattern, "/api/"), "%s: every API route must be documented", rt.Pattern)
			continue
		}
		inMux = append(inMux, rt.Method+" "+rt.Pattern)
	}
	require.NotZero(t, undocumented, "the HTML pages, login and logout, and the static files are not in the document")
	sort.Strings(inDoc)
	sort.Strings(inMux)
	require.Equal(t, inMux, inDoc)

	// Each documented path answers on the real mux (not 404/405 from the
	// router itself), with its parameters filled in.
	param := regexp.MustCompile(`\{[^}]+\}`)
	for _, r := range inMux {
		method, path, _ := strings.Cut(r, " ")
		path = param.ReplaceAllString(path, "0000000000000000000000000000000000000000000000000000000000000000")
		req, err := http.NewRequest(method, e.srv.URL+path, bytes.NewReader([]byte(`{}`)))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		resp, err := e.srv.Client().Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.NotEqual(t, http.StatusMethodNotAllowed, resp.StatusCode, r)
		if !strings.Contains(r, "{") {
			require.NotEqual(t, http.StatusNotFound, resp.StatusCode, r)
		}
	}
}

// FuzzTransition: whatever the body, the handler answers with one of its
// documented codes and a JSON error or case, and never a 500.
func FuzzTransition(f *testing.F) {
	f.Add(`{"to":"filed","actor":"li","role":"reviewer"}`, "application/json")
	f.Add(`{"to":"rejected","comment":"x","version":1}`, "application/json")
	f.Add(`{"to":"closed"}`, "application/json")
	f.Add(`{"to":"filed","x":1}`, "application/json; charset=utf-8")
	f.Add(`[]`, "application/json")
	f.Add(`{"version":-99999999999999999999}`, "text/plain")
	e := newEnv(f)
	id := e.addCase(f, "e1", nil)
	f.Fuzz(func(t *testing.T, body, contentType string) {
		if !httpguts.ValidHeaderFieldValue(contentType) {
			return // the client would refuse to send it
		}
		resp, out := e.post(t, "/api/v1/cases/"+id+"/transitions", contentType, body)
		switch resp.StatusCode {
		case 200, 400, 403, 409:
		default:
			t.Fatalf("status %d for %q: %s", resp.StatusCode, body, out)
		}
		var v map[string]any
		require.NoError(t, json.Unmarshal(out, &v), "%s", out)
		if resp.StatusCode != 200 {
			require.NotEmpty(t, v["error"])
		}
	})
}
