package web

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/internal/browsertest"
	"github.com/xiuhua/xiuhua/internal/geo"
	"github.com/xiuhua/xiuhua/internal/testdata"
	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/store"
)

// TestBrowserMap runs hack/browser/map.mjs in headless Chromium at
// 1440×900 and 390×844: a server with two basemaps (a WGS-84 and a GCJ-02
// one, both from a local tile server) and one without any. The spec checks
// that the tiles come from the configured source, that the case's pin
// lands on its position's pixel of the tiles in each datum, that the case
// page and the map's popup say the cell, 社区, 街道, unit and address, the
// clip's poster, and the 未配置底图 note. Screenshots go to
// hack/browser/artefacts/map.
func TestBrowserMap(t *testing.T) {
	browsertest.Check(t)
	var tilesWGS, tilesGCJ atomic.Int32
	tile := tilePNG(t)
	tiles := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/wgs/"):
			tilesWGS.Add(1)
		case strings.HasPrefix(r.URL.Path, "/gcj/"):
			tilesGCJ.Add(1)
		default:
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(tile)
	}))
	t.Cleanup(tiles.Close)
	sources := []TileSource{
		{Name: "测试底图", URL: tiles.URL + "/wgs/{z}/{x}/{y}.png", CRS: "wgs84", MaxZoom: 19, Attribution: "测试瓦片 <b>不是标记</b>"},
		{Name: "测试高德", URL: tiles.URL + "/gcj/{z}/{x}/{y}.png", CRS: "gcj02", MaxZoom: 19},
	}
	withMap := newEnvWith(t, func(o *Options) { o.Basemap = sources }, browserTestRoutes)
	noMap := newEnv(t)
	ctx := context.Background()
	jpeg, err := os.ReadFile(testdata.Path(t, "images", "000000005193.jpg"))
	require.NoError(t, err)
	here := geo.Point{Lat: 31.2305, Lon: 121.4705}
	ids := map[string]string{}
	for name, e := range map[string]*env{"map": withMap, "nomap": noMap} {
		require.NoError(t, e.auth.AddUser(ctx, "li", cases.RoleReviewer, browserPassword))
		ids[name] = e.addCase(t, "map-"+name, func(r *store.Report) {
			r.ObservedAt = time.Now()
			r.Location = &store.GeoPoint{Lat: here.Lat, Lon: here.Lon}
		}, e.put(t, "annotated.jpg", store.KindAnnotated, "image/jpeg", jpeg),
			e.put(t, "clip.mp4", store.KindClip, "video/mp4", []byte("not really a video")))
		_, err := e.store.SetCaseAddress(ctx, ids[name], "南京东路附近 约 35 米")
		require.NoError(t, err)
	}
	g := geo.ToGCJ02(here)
	pos, _ := json.Marshal(map[string][2]float64{"wgs84": {here.Lat, here.Lon}, "gcj02": {g.Lat, g.Lon}})
	browsertest.Run(t, "map", 4*time.Minute, map[string]string{
		"XIUHUA_BASE_URL":   withMap.srv.URL,
		"XIUHUA_NOMAP_URL":  noMap.srv.URL,
		"XIUHUA_TILES_URL":  tiles.URL,
		"XIUHUA_PASSWORD":   browserPassword,
		"XIUHUA_CASE":       ids["map"],
		"XIUHUA_NOMAP_CASE": ids["nomap"],
		"XIUHUA_POSITION":   string(pos),
	})
	require.Positive(t, tilesWGS.Load(), "the browsers loaded tiles of the first source")
	require.Positive(t, tilesGCJ.Load(), "and of the second once switched to")
}

// tilePNG is a 256-pixel tile: pale, with a darker edge, so that the
// screenshots show where tiles meet.
func tilePNG(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 256, 256))
	for y := range 256 {
		for x := range 256 {
			c := color.RGBA{0xe8, 0xee, 0xe4, 0xff}
			if x == 0 || y == 0 {
				c = color.RGBA{0x9a, 0xa8, 0x90, 0xff}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, img))
	return buf.Bytes()
}
