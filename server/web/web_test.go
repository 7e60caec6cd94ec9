package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/auth"
	"github.com/xiuhua/xiuhua/server/blob"
	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/grid"
	"github.com/xiuhua/xiuhua/server/store"
	"github.com/xiuhua/xiuhua/server/store/sqlite"
)

type env struct {
	// tokens are API tokens by role; requests use the admin's unless a
	// test says otherwise.
	tokens map[string]string
	auth   *auth.Service
	// clock is the auth service's time in Unix nanoseconds; atomic because
	// handlers read it while a test moves it.
	clock atomic.Int64
	srv   *httptest.Server
	store *sqlite.Store
	blobs *blob.Folder
	cases *cases.Service
	grid  *grid.Indexed
	web   *Handler
}

func newEnv(t testing.TB) *env { return newEnvWith(t, nil, nil) }

// newEnvWith is newEnv with changed options, and a handler around the
// web handler (test-only routes).
func newEnvWith(t testing.TB, mod func(*Options), wrap func(e *env, h http.Handler) http.Handler) *env {
	t.Helper()
	return newEnvCases(t, nil, mod, wrap)
}

// newEnvCases is newEnvWith with a changed case configuration too.
func newEnvCases(t testing.TB, casesMod func(*cases.Config), mod func(*Options), wrap func(e *env, h http.Handler) http.Handler) *env {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "xiuhua.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	blobs, err := blob.NewFolder(filepath.Join(dir, "evidence"))
	require.NoError(t, err)
	reg := prometheus.NewRegistry()
	reg.MustRegister(prometheus.NewCounter(prometheus.CounterOpts{Name: "xiuhua_test_total", Help: "test"}))
	cells, err := grid.Load("../grid/testdata/cells.geojson")
	require.NoError(t, err)
	cfg := cases.DefaultConfig()
	cfg.Grid = grid.Locator(cells)
	if casesMod != nil {
		casesMod(&cfg)
	}
	svc := cases.New(st, cfg)
	e := &env{store: st, blobs: blobs, cases: svc, grid: cells, tokens: map[string]string{}}
	e.clock.Store(time.Now().UnixNano())
	e.auth = auth.New(auth.Options{Store: st, SessionTTL: time.Hour, Now: e.now})
	for _, role := range cases.Roles {
		tok, err := e.auth.AddAPIToken(context.Background(), role+"-bot", role, "test")
		require.NoError(t, err)
		e.tokens[role] = tok
	}
	opts := Options{
		Auth:     e.auth,
		Store:    st,
		Blobs:    blobs,
		Cases:    svc,
		Grid:     cells,
		Gatherer: reg,
		Location: time.FixedZone("CST", 8*3600),
		Log:      slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if mod != nil {
		mod(&opts)
	}
	web := New(opts)
	var h http.Handler = web
	if wrap != nil {
		h = wrap(e, h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	t.Cleanup(web.Close) // before srv.Close: ends live streams
	e.srv = srv
	e.web = web
	return e
}

// now is the auth service's clock.
func (e *env) now() time.Time { return time.Unix(0, e.clock.Load()) }

var observed = time.Date(2025, 6, 1, 8, 30, 0, 0, time.UTC) // 16:30:00 in CST

// addCase stores a report whose evidence is the given files (kind →
// content) and returns its case id.
func (e *env) addCase(t testing.TB, eventID string, mod func(*store.Report), files ...store.Evidence) string {
	t.Helper()
	r := &store.Report{EventID: eventID, DeviceID: "edge-01", CameraID: "cam-7", ZoneID: "zone-a", RuleID: "rule-vending",
		ViolationType: "street_vending", ObservedAt: observed, Evidence: files}
	if mod != nil {
		mod(r)
	}
	id, _, err := e.store.SaveReport(context.Background(), r, e.cases.Assign)
	require.NoError(t, err)
	return id
}

func (e *env) put(t *testing.T, name, kind, ct string, data []byte) store.Evidence {
	t.Helper()
	ref, err := blob.Put(context.Background(), e.blobs, bytes.NewReader(data))
	require.NoError(t, err)
	return store.Evidence{Name: name, Kind: kind, ContentType: ct, Size: ref.Size, SHA256: ref.SHA256}
}

func (e *env) get(t *testing.T, path string, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+e.tokens[cases.RoleAdmin])
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := e.srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, body
}

func TestCasesPage(t *testing.T) {
	e := newEnv(t)
	resp, body := e.get(t, "/")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, string(body), "暂无案件")

	snap := e.put(t, "snapshot.jpg", store.KindSnapshot, "image/jpeg", []byte("snapshot"))
	ann := e.put(t, "annotated.jpg", store.KindAnnotated, "image/jpeg", []byte("annotated"))
	id := e.addCase(t, "ev-1", nil, snap, ann)
	onlySnap := e.put(t, "s2.jpg", store.KindSnapshot, "image/jpeg", []byte("snapshot 2"))
	id2 := e.addCase(t, "ev-2", func(r *store.Report) {
		r.CameraID = `<script>alert(1)</script>`
		r.ViolationType = "demo_linger"
	}, onlySnap)
	id3 := e.addCase(t, "ev-3", func(r *store.Report) { r.ViolationType = "street_laundry" })

	resp, body = e.get(t, "/")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
	page := string(body)
	for _, want := range []string{
		`<link rel="stylesheet" href="/static/style.css">`,
		`<script src="/static/app.js" defer></script>`,
		"<h2>全部未结</h2>", // an admin lands on every open case
		// Case 1: the annotated picture, not the snapshot.
		`<img src="/evidence/` + ann.SHA256 + `"`,
		"2025-06-01 16:30:00 (CST&#43;08:00)", // in the configured zone, named
		"cam-7", "edge-01",
		`占道经营<small translate="no">street_vending</small>`,
		`<span class="status s-pending_review">待审核</span>`,
		`href="/cases/` + id + `" translate="no">20`, `<small class="id" translate="no">` + id + `</small>`,
		`data-case="` + id + `" data-version="1" data-status="pending_review"`,
		// Case 2: only a snapshot; an unknown type shown as it is; the
		// hostile camera id escaped.
		`<img src="/evidence/` + onlySnap.SHA256 + `"`,
		`demo_linger<small translate="no">demo_linger</small>`,
		"&lt;script&gt;alert(1)&lt;/script&gt;",
		id2,
		// Case 3: no picture.
		"无图片",
		"沿街晾晒",
		id3,
	} {
		require.Contains(t, page, want)
	}
	require.NotContains(t, page, `<img src="/evidence/`+snap.SHA256)
	require.NotContains(t, page, "<script>alert")
	// Newest first.
	require.Less(t, strings.Index(page, id3), strings.Index(page, id2))
	require.Less(t, strings.Index(page, id2), strings.Index(page, id))

	resp, body = e.get(t, "/static/style.css")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, resp.Header.Get("Content-Type"), "text/css")
	require.Contains(t, string(body), "td.thumb img")
	require.Contains(t, string(body), "@media (max-width: 720px)")
	resp, body = e.get(t, "/static/app.js")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, string(body), "EventSource")

	resp, body = e.get(t, "/?lang=en")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, string(body), "Case queue")
	require.Contains(t, string(body), `Street vending<small translate="no">street_vending</small>`)
	require.Contains(t, string(body), `<html lang="en">`)

	resp, _ = e.get(t, "/?status=bogus")
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
}

func TestCasesPagePaging(t *testing.T) {
	e := newEnv(t)
	var ids []string
	for i := range pageLimit + 1 {
		ids = append(ids, e.addCase(t, fmt.Sprintf("ev-%d", i), nil))
	}
	_, body := e.get(t, "/")
	require.Contains(t, string(body), ids[pageLimit])
	require.NotContains(t, string(body), ">"+ids[0]+"<")
	require.Contains(t, string(body), "更早的案件")
	start := strings.Index(string(body), `<p class="more"><a href="`) + len(`<p class="more"><a href="`)
	next := strings.ReplaceAll(string(body)[start:start+strings.Index(string(body)[start:], `"`)], "&amp;", "&")
	_, body = e.get(t, next)
	require.Contains(t, string(body), ">"+ids[0]+"<")
	require.NotContains(t, string(body), "更早的案件")
}

func decode[T any](t *testing.T, body []byte) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal(body, &v), "%s", body)
	return v
}

func TestListCasesAPI(t *testing.T) {
	e := newEnv(t)
	snap := e.put(t, "snapshot.jpg", store.KindSnapshot, "image/jpeg", []byte("snapshot"))
	var ids []string
	for i := range 60 {
		ids = append([]string{e.addCase(t, fmt.Sprintf("ev-%d", i), nil, snap)}, ids...) // newest first
	}

	resp, body := e.get(t, "/api/v1/cases")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "application/json; charset=utf-8", resp.Header.Get("Content-Type"))
	list := decode[CaseListJSON](t, body)
	require.Len(t, list.Cases, DefaultLimit)
	require.Equal(t, ids[0], list.Cases[0].ID)
	require.NotEmpty(t, list.NextCursor)
	c := list.Cases[0]
	require.Equal(t, "pending_review", c.Status)
	require.Equal(t, "street_vending", c.ViolationType)
	require.Equal(t, "cam-7", c.CameraID)
	require.Equal(t, 1, c.ReportCount)
	require.True(t, c.FirstSeen.Equal(observed))
	require.Equal(t, "/api/v1/cases/"+c.ID, c.URL)
	require.Equal(t, &EvidenceJSON{Name: "snapshot.jpg", Kind: "snapshot", ContentType: "image/jpeg", Size: 8,
		SHA256: snap.SHA256, URL: "/evidence/" + snap.SHA256}, c.Thumbnail)

	// Walk every page with limit 7.
	var got []string
	next := "/api/v1/cases?limit=7"
	for next != "" {
		_, body := e.get(t, next)
		l := decode[CaseListJSON](t, body)
		require.LessOrEqual(t, len(l.Cases), 7)
		for _, c := range l.Cases {
			got = append(got, c.ID)
		}
		next = ""
		if l.NextCursor != "" {
			next = "/api/v1/cases?limit=7&cursor=" + l.NextCursor
		}
	}
	require.Equal(t, ids, got)

	_, body = e.get(t, "/api/v1/cases?limit=100000")
	require.Len(t, decode[CaseListJSON](t, body).Cases, 60, "limit is capped, not refused")
	_, body = e.get(t, "/api/v1/cases?status=pending_review&limit=1")
	require.Len(t, decode[CaseListJSON](t, body).Cases, 1)

	tests := []struct {
		query string
		want  string
	}{
		{"limit=0", `limit: invalid value "0": allowed: 1 to 500`},
		{"limit=ten", `limit: invalid value "ten": allowed: 1 to 500`},
		{"status=closed_forever", `status: invalid value "closed_forever": allowed: pending_review, filed, rejected, dispatched, handling, reported, verified, closed`},
		{"status=%27%20OR%201%3D1%20--", `status: invalid value "' OR 1=1 --"`},
		{"cursor=garbage", "cursor: invalid value"},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			resp, body := e.get(t, "/api/v1/cases?"+tc.query)
			require.Equal(t, http.StatusBadRequest, resp.StatusCode)
			require.Contains(t, decode[apiError](t, body).Error, tc.want)
		})
	}
}

func TestEmptyListIsAnArray(t *testing.T) {
	e := newEnv(t)
	_, body := e.get(t, "/api/v1/cases")
	require.JSONEq(t, `{"cases": []}`, string(body))
}

func TestGetCaseAPI(t *testing.T) {
	e := newEnv(t)
	snap := e.put(t, "snapshot.jpg", store.KindSnapshot, "image/jpeg", []byte("snapshot"))
	clip := e.put(t, "clip.mp4", store.KindClip, "video/mp4", []byte("clip"))
	id := e.addCase(t, "ev-1", func(r *store.Report) {
		r.Location = &store.GeoPoint{Lat: 31.2, Lon: 121.4}
		r.Detections = []store.Detection{{ClassName: "umbrella", Score: 0.5, X: 1, Y: 2, Width: 3, Height: 4}}
		r.SignatureVerified = true
		r.Model = store.ModelRef{Name: "yolox_nano", Version: "1"}
	}, snap, clip)

	resp, body := e.get(t, "/api/v1/cases/"+id)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	d := decode[CaseDetailJSON](t, body)
	require.Equal(t, id, d.Case.ID)
	require.Len(t, d.Reports, 1)
	r := d.Reports[0]
	require.Equal(t, "ev-1", r.EventID)
	require.True(t, r.SignatureVerified)
	require.Equal(t, &LocationJSON{Lat: 31.2, Lon: 121.4}, r.Location)
	require.Nil(t, r.StartedAt)
	require.Equal(t, "umbrella", r.Detections[0].ClassName)
	require.Equal(t, ModelJSON{Name: "yolox_nano", Version: "1"}, r.Model)
	require.Len(t, r.Evidence, 2)
	require.Equal(t, "/evidence/"+clip.SHA256, r.Evidence[1].URL)
	require.Equal(t, "clip", r.Evidence[1].Kind)

	resp, body = e.get(t, "/api/v1/cases/01JZZZZZZZZZZZZZZZZZZZZZZZ")
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	require.Equal(t, `case "01JZZZZZZZZZZZZZZZZZZZZZZZ" not found`, decode[apiError](t, body).Error)
}

func TestEvidence(t *testing.T) {
	e := newEnv(t)
	jpeg := bytes.Repeat([]byte{0xff, 0xd8, 0xff}, 1000)
	snap := e.put(t, "snapshot.jpg", store.KindSnapshot, "image/jpeg", jpeg)
	html := e.put(t, "x.html", store.KindUnspecified, "text/html; charset=utf-8", []byte("<script>alert(1)</script>"))
	e.addCase(t, "ev-1", nil, snap, html)
	orphan, err := blob.Put(context.Background(), e.blobs, strings.NewReader("not in any report"))
	require.NoError(t, err)

	resp, body := e.get(t, "/evidence/"+snap.SHA256)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, jpeg, body)
	require.Equal(t, "image/jpeg", resp.Header.Get("Content-Type"))
	require.Equal(t, "private, max-age=31536000, immutable", resp.Header.Get("Cache-Control"))
	require.Equal(t, `"`+snap.SHA256+`"`, resp.Header.Get("ETag"))
	require.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"))

	resp, body = e.get(t, "/evidence/"+snap.SHA256, "If-None-Match", `"`+snap.SHA256+`"`)
	require.Equal(t, http.StatusNotModified, resp.StatusCode)
	require.Empty(t, body)

	resp, body = e.get(t, "/evidence/"+snap.SHA256, "Range", "bytes=3-5")
	require.Equal(t, http.StatusPartialContent, resp.StatusCode)
	require.Equal(t, jpeg[3:6], body)

	// A declared type that could run on this origin is served as a download.
	resp, _ = e.get(t, "/evidence/"+html.SHA256)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "application/octet-stream", resp.Header.Get("Content-Type"))
	require.Contains(t, resp.Header.Get("Content-Disposition"), "attachment")

	for _, path := range []string{
		"/evidence/" + orphan.SHA256,                // stored but no report refers to it
		"/evidence/" + strings.Repeat("0", 64),      // unknown
		"/evidence/" + strings.ToUpper(snap.SHA256), // not the canonical name
		"/evidence/..%2f..%2fxiuhua.db",             // traversal
		"/evidence/" + snap.SHA256[:10],             // short
	} {
		resp, _ := e.get(t, path)
		require.Equal(t, http.StatusNotFound, resp.StatusCode, path)
	}
}

func TestHealthMetricsHeaders(t *testing.T) {
	e := newEnv(t)
	resp, body := e.get(t, "/healthz")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "ok\n", string(body))

	resp, body = e.get(t, "/metrics")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, string(body), "xiuhua_test_total 0")

	for _, path := range []string{"/", "/api/v1/cases", "/healthz", "/nope"} {
		resp, _ := e.get(t, path)
		require.Equal(t, contentSecurityPolicy(nil), resp.Header.Get("Content-Security-Policy"), path)
		require.Equal(t, "DENY", resp.Header.Get("X-Frame-Options"), path)
		require.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"), path)
		require.Equal(t, "no-referrer", resp.Header.Get("Referrer-Policy"), path)
	}
	resp, err := e.srv.Client().Post(e.srv.URL+"/api/v1/cases", "application/json", strings.NewReader("{}"))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)

	require.NoError(t, e.store.Close())
	resp, _ = e.get(t, "/healthz")
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
}
