package config

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWebTilesURL(t *testing.T) {
	for _, tc := range []struct {
		url string
		ok  bool
	}{
		{"", true},
		{"https://tiles.example.cn/{z}/{x}/{y}.png", true},
		{"http://10.0.0.5:8080/tiles/{z}/{y}/{x}", true},
		{"https://tiles.example.cn/{z}/{x}.png", false},
		{"ftp://tiles.example.cn/{z}/{x}/{y}.png", false},
		{"/tiles/{z}/{x}/{y}.png", false},
		{"javascript:alert(1)//{z}{x}{y}", false},
		{"https://t{s}.example.cn/{z}/{x}/{y}.png", false}, // {s} needs subdomains: web.basemap
	} {
		t.Run(tc.url, func(t *testing.T) {
			cfg := Default()
			cfg.Web.TilesURL = tc.url
			err := cfg.Validate()
			if tc.ok {
				require.NoError(t, err)
				return
			}
			require.EqualError(t, err, "web.tiles_url: invalid value \""+tc.url+"\": allowed: "+tileURLAllowed)
		})
	}
}

func TestTilesURLIsOneWGS84Source(t *testing.T) {
	w := Web{TilesURL: "https://tiles.example.cn/{z}/{x}/{y}.png"}
	require.Equal(t, []TileSource{{Name: "底图", URL: w.TilesURL, CRS: CRSWGS84, MaxZoom: DefaultMaxZoom}}, w.Basemap())
	require.Empty(t, Web{}.Basemap())
}

const tdtVec = "https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec&STYLE=default" +
	"&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=KEY"

func TestBasemapValidation(t *testing.T) {
	good := TileSource{Name: "天地图", URL: tdtVec, LabelsURL: "https://t{s}.tianditu.gov.cn/cva_w/wmts?TILEMATRIX={z}&TILEROW={y}&TILECOL={x}",
		Subdomains: []string{"0", "1"}, CRS: "wgs84"}
	for _, tc := range []struct {
		name string
		edit func(w *Web)
		want string // "" for valid
	}{
		{"tianditu wmts", func(w *Web) {}, ""},
		{"gaode xyz", func(w *Web) {
			w.Sources = append(w.Sources, TileSource{Name: "高德", URL: "https://webrd0{s}.is.autonavi.com/appmaptile?style=8&x={x}&y={y}&z={z}", Subdomains: []string{"1", "2"}, CRS: "gcj02", MaxZoom: 18})
		}, ""},
		{"crs missing", func(w *Web) { w.Sources[0].CRS = "" },
			`web.basemap[0].crs: invalid value "": allowed: wgs84 (天地图`},
		{"crs wrong", func(w *Web) { w.Sources[0].CRS = "bd09" }, `web.basemap[0].crs: invalid value "bd09"`},
		{"no name", func(w *Web) { w.Sources[0].Name = "" }, `web.basemap[0].name: invalid value ""`},
		{"same name", func(w *Web) { w.Sources = append(w.Sources, w.Sources[0]) }, `web.basemap[1].name: invalid value "天地图"`},
		{"no placeholders", func(w *Web) { w.Sources[0].URL = "https://t{s}.example.cn/tile.png" }, `web.basemap[0].url: invalid value "https://t{s}.example.cn/tile.png": allowed: an http(s) URL template`},
		{"{s} without subdomains", func(w *Web) { w.Sources[0].Subdomains = nil }, `web.basemap[0].url: invalid value`},
		{"bad labels", func(w *Web) { w.Sources[0].LabelsURL = "ftp://x/{z}/{x}/{y}" }, `web.basemap[0].labels_url: invalid value "ftp://x/{z}/{x}/{y}"`},
		{"zooms", func(w *Web) { w.Sources[0].MinZoom, w.Sources[0].MaxZoom = 10, 5 }, `web.basemap[0].min_zoom/max_zoom: invalid value "10/5": allowed: 0 ≤ min_zoom ≤ max_zoom ≤ 22`},
		{"both forms", func(w *Web) { w.TilesURL = "https://x/{z}/{x}/{y}" }, `web.tiles_url: invalid value "https://x/{z}/{x}/{y}": allowed: empty when web.basemap is set`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Default()
			cfg.Web.Sources = []TileSource{good}
			cfg.Web.Sources[0].Subdomains = []string{"0", "1"}
			tc.edit(&cfg.Web)
			err := cfg.Validate()
			if tc.want == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func TestAddressValidation(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(a *Address)
		want string
	}{
		{"default", func(a *Address) {}, ""},
		{"tianditu hook", func(a *Address) {
			a.Hook.URL, a.Hook.Field, a.Hook.CRS = "https://api.tianditu.gov.cn/geocoder?postStr={'lon':{lon},'lat':{lat},'ver':1}&type=geocode&tk=K", "result.formatted_address", "wgs84"
		}, ""},
		{"no placeholders", func(a *Address) { a.Hook.URL, a.Hook.Field, a.Hook.CRS = "https://x/geo", "a", "gcj02" }, `address.hook.url: invalid value "https://x/geo"`},
		{"no field", func(a *Address) { a.Hook.URL, a.Hook.CRS = "https://x/?{lat},{lon}", "gcj02" }, `address.hook.field: invalid value ""`},
		{"no crs", func(a *Address) { a.Hook.URL, a.Hook.Field = "https://x/?{lat},{lon}", "a.b" }, `address.hook.crs: invalid value "": allowed: wgs84 (天地图) or gcj02`},
		{"distance", func(a *Address) { a.MaxDistanceM = 0 }, "address.max_distance_m: invalid value 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Default()
			tc.edit(&cfg.Address)
			err := cfg.Validate()
			if tc.want == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tc.want)
		})
	}
}
