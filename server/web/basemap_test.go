package web

import (
	"encoding/json"
	"html"
	"io"
	"net/http"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/internal/geo"
	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/store"
)

var testBasemap = []TileSource{
	{Name: "天地图", URL: "https://t{s}.tianditu.gov.cn/vec_w/wmts?TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=K",
		LabelsURL:  "https://t{s}.tianditu.gov.cn/cva_w/wmts?TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=K",
		Subdomains: []string{"0", "1"}, CRS: "wgs84", MaxZoom: 18},
	{Name: "高德", URL: "https://webrd01.is.autonavi.com/appmaptile?style=8&x={x}&y={y}&z={z}", CRS: "gcj02", MaxZoom: 18},
}

func TestTileOriginsAndPolicy(t *testing.T) {
	got := tileOrigins(testBasemap)
	require.Equal(t, []string{"https://t0.tianditu.gov.cn", "https://t1.tianditu.gov.cn", "https://webrd01.is.autonavi.com"}, got)
	require.Contains(t, contentSecurityPolicy(got), "img-src 'self' data: https://t0.tianditu.gov.cn https://t1.tianditu.gov.cn https://webrd01.is.autonavi.com;")
	require.Empty(t, tileOrigins(nil))
	require.Equal(t, []string{"wgs84", "gcj02"}, crsList(testBasemap))
	require.Equal(t, []string{"wgs84"}, crsList(testBasemap[:1]))
}

// TestInCRS: what the map script draws for a GCJ-02 source is
// internal/geo's transform, and WGS-84 sources get the stored position.
func TestLatLonJSON(t *testing.T) {
	b, err := json.Marshal(latLon{31.200000000000003, 121.47053249876})
	require.NoError(t, err)
	require.Equal(t, "[31.2,121.4705325]", string(b))
}

func TestInCRS(t *testing.T) {
	for _, p := range []geo.Point{{Lat: 31.2304, Lon: 121.4737}, {Lat: 39.915, Lon: 116.404}, {Lat: 22.543847, Lon: 113.912316}, {Lat: 48.8566, Lon: 2.3522}} {
		g := geo.ToGCJ02(p)
		require.Equal(t, latLon{g.Lat, g.Lon}, inCRS("gcj02", p.Lat, p.Lon))
		require.Equal(t, latLon{p.Lat, p.Lon}, inCRS("wgs84", p.Lat, p.Lon))
	}
	// A few hundred metres in Shanghai: the reason the choice matters.
	g := inCRS("gcj02", 31.2304, 121.4737)
	d := geo.Distance(geo.Point{Lat: 31.2304, Lon: 121.4737}, geo.Point{Lat: g[0], Lon: g[1]})
	require.Greater(t, d, 300.0)
	require.Less(t, d, 700.0)
}

var islandRe = regexp.MustCompile(`(?s)<script type="application/json" class="lmapdata">(.*?)</script>`)

// TestCasePageWithBasemap: the case page loads the vendored map library
// and carries the map data (cell outline and case in both datums, the
// cell's community, street and unit, the address); the policy names the
// tile hosts; the API has the same place fields.
func TestCasePageWithBasemap(t *testing.T) {
	e := newEnvWith(t, func(o *Options) { o.Basemap = testBasemap }, nil)
	id := e.addCase(t, "ev-map", func(r *store.Report) { r.Location = &store.GeoPoint{Lat: 31.2305, Lon: 121.4705} })
	_, err := e.store.SetCaseAddress(t.Context(), id, "南京东路附近 约 35 米")
	require.NoError(t, err)
	b := e.signIn(t, "li", cases.RoleReviewer)
	resp, err := b.c.Get(b.base + "/cases/" + id)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(body)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, resp.Header.Get("Content-Security-Policy"), "img-src 'self' data: https://t0.tianditu.gov.cn https://t1.tianditu.gov.cn https://webrd01.is.autonavi.com;")
	require.Contains(t, page, `<script src="/static/leaflet/leaflet.js" defer></script>`)
	require.Contains(t, page, `<script src="/static/map.js" defer></script>`)
	require.NotContains(t, page, `class="nobasemap"`)
	require.Contains(t, page, `<dd class="community">贵州路居委会</dd>`)
	require.Contains(t, page, `<dd class="street">南京东路街道</dd>`)
	require.Contains(t, page, `<dd class="cell-unit">南京东路街道城管中队</dd>`)
	require.Contains(t, page, `<span class="addr">南京东路附近 约 35 米</span>`)

	m := islandRe.FindStringSubmatch(page)
	require.NotNil(t, m, "map data island")
	var d lmapData
	require.NoError(t, json.Unmarshal([]byte(html.UnescapeString(m[1])), &d), m[1])
	require.Len(t, d.Sources, 2)
	require.True(t, d.Marker)
	require.Len(t, d.Points, 1)
	g := geo.ToGCJ02(geo.Point{Lat: 31.2305, Lon: 121.4705})
	require.Equal(t, latLon{31.2305, 121.4705}, d.Points[0].At["wgs84"])
	near := func(want, got latLon, what string) {
		require.InDelta(t, want[0], got[0], 1e-7, what)
		require.InDelta(t, want[1], got[1], 1e-7, what)
	}
	near(latLon{g.Lat, g.Lon}, d.Points[0].At["gcj02"], "the case in GCJ-02")
	require.Equal(t, "南京东路附近 约 35 米", d.Points[0].Address)
	require.Equal(t, "南京东路 1 号网格 · 贵州路居委会 · 南京东路街道 · 南京东路街道城管中队", d.Points[0].Place)
	require.Len(t, d.Cells, 1)
	require.True(t, d.Cells[0].Here)
	c0 := d.Cells[0].Polygons["gcj02"][0][0][0]
	g = geo.ToGCJ02(geo.Point{Lat: 31.230, Lon: 121.470})
	near(latLon{g.Lat, g.Lon}, c0, "cell outlines shifted too")

	_, api := e.get(t, "/api/v1/cases/"+id)
	var detail struct {
		Case struct {
			Address string   `json:"address"`
			Cell    CellJSON `json:"cell"`
		} `json:"case"`
	}
	require.NoError(t, json.Unmarshal(api, &detail))
	cj := detail.Case
	require.Equal(t, "南京东路附近 约 35 米", cj.Address)
	require.Equal(t, CellJSON{Code: "310101001001", Name: "南京东路 1 号网格", Community: "贵州路居委会", Street: "南京东路街道", Unit: "南京东路街道城管中队"}, cj.Cell)
}

// TestNoBasemapNote: without a basemap the pages load no map library and
// say which key to set; the SVG map is still drawn.
func TestNoBasemapNote(t *testing.T) {
	e := newEnv(t)
	id := e.addCase(t, "ev-nomap", func(r *store.Report) { r.Location = &store.GeoPoint{Lat: 31.2305, Lon: 121.4705} })
	b := e.signIn(t, "li", cases.RoleReviewer)
	for _, path := range []string{"/cases/" + id, "/map"} {
		resp, err := b.c.Get(b.base + path)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		page := string(body)
		require.Contains(t, page, `<p class="nobasemap" role="note"><strong>未配置底图</strong>`, path)
		require.Contains(t, page, `<code translate="no">web.basemap</code>`, path)
		require.Contains(t, page, `<svg class="map"`, path)
		require.NotContains(t, page, "leaflet.js", path)
		require.Contains(t, resp.Header.Get("Content-Security-Policy"), "img-src 'self';", path)
	}
}

// TestLeafletServed: the vendored library is served from the binary with
// cache headers, and revalidates by ETag.
func TestLeafletServed(t *testing.T) {
	e := newEnv(t)
	for _, name := range []string{"leaflet/leaflet.js", "leaflet/leaflet.css", "leaflet/images/marker-icon.png", "map.js"} {
		resp, body := e.get(t, "/static/"+name)
		require.Equal(t, http.StatusOK, resp.StatusCode, name)
		require.NotEmpty(t, body, name)
		require.Equal(t, "public, max-age=300", resp.Header.Get("Cache-Control"), name)
		etag := resp.Header.Get("ETag")
		require.Regexp(t, `^"[0-9a-f]{16}"$`, etag, name)
		again, _ := e.get(t, "/static/"+name, "If-None-Match", etag)
		require.Equal(t, http.StatusNotModified, again.StatusCode, name)
	}
	resp, _ := e.get(t, "/static/leaflet/leaflet-src.js")
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
}

// TestQueueRowPlace: a queue row names the cell, its community and street,
// and the address.
func TestQueueRowPlace(t *testing.T) {
	e := newEnv(t)
	id := e.addCase(t, "ev-row", func(r *store.Report) { r.Location = &store.GeoPoint{Lat: 31.2305, Lon: 121.4705} })
	_, err := e.store.SetCaseAddress(t.Context(), id, "南京东路附近 约 35 米")
	require.NoError(t, err)
	b := e.signIn(t, "li", cases.RoleReviewer)
	resp, err := b.c.Get(b.base + "/")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(body)
	require.Contains(t, page, `<span class="addr">南京东路附近 约 35 米</span>`)
	require.Contains(t, page, `<small class="cell">南京东路 1 号网格 · 贵州路居委会 · 南京东路街道</small>`)
}
