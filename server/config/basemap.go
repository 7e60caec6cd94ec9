package config

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/xiuhua/xiuhua/internal/conf"
)

// TileSource is one basemap of web.basemap: a tile service the officers'
// browsers load pictures from, drawn by the pages' map library.
type TileSource struct {
	// Name is shown in the layer switcher, e.g. 天地图矢量.
	Name string `yaml:"name"`
	// URL is an XYZ template with {z}, {x}, {y} and optionally {s}, or a
	// WMTS KVP GetTile URL with {z}, {x}, {y} as TILEMATRIX, TILECOL,
	// TILEROW. Web Mercator (EPSG:3857, GoogleMapsCompatible) tiles of 256
	// pixels only: 天地图's *_w layers, not its *_c ones.
	URL string `yaml:"url"`
	// LabelsURL is an optional second layer drawn over URL with the same
	// rules: 天地图's street names (cva_w) over its streets (vec_w).
	LabelsURL string `yaml:"labels_url"`
	// Subdomains replace {s}, e.g. ["t0", "t1", …, "t7"] for 天地图.
	Subdomains []string `yaml:"subdomains"`
	// CRS is the datum of the tiles: wgs84 (天地图, CGCS2000, most
	// self-hosted tiles) or gcj02 (高德, 腾讯). No default: a wrong
	// choice puts every case a few hundred metres off its street.
	CRS string `yaml:"crs"`
	// Attribution is the tile provider's notice, shown on the map (text).
	Attribution string `yaml:"attribution"`
	// MinZoom and MaxZoom bound the zoom levels the service has; zero
	// MaxZoom means 18.
	MinZoom int `yaml:"min_zoom"`
	MaxZoom int `yaml:"max_zoom"`
}

// Tile datums of TileSource.CRS.
const (
	CRSWGS84 = "wgs84"
	CRSGCJ02 = "gcj02"
)

// DefaultMaxZoom is a tile source's max_zoom when none is given.
const DefaultMaxZoom = 18

// Basemap is web.basemap with the deprecated web.tiles_url folded in: that
// one template becomes a WGS-84 source named 底图.
func (w Web) Basemap() []TileSource {
	if len(w.Sources) == 0 && w.TilesURL != "" {
		return []TileSource{{Name: "底图", URL: w.TilesURL, CRS: CRSWGS84, MaxZoom: DefaultMaxZoom}}
	}
	out := make([]TileSource, len(w.Sources))
	for i, s := range w.Sources {
		if s.MaxZoom == 0 {
			s.MaxZoom = DefaultMaxZoom
		}
		out[i] = s
	}
	return out
}

func (w Web) validateBasemap(errs *conf.Errors) {
	if w.TilesURL != "" && len(w.Sources) > 0 {
		errs.Add("web.tiles_url", w.TilesURL, "empty when web.basemap is set (tiles_url is the deprecated one-source form of web.basemap)")
	}
	names := map[string]bool{}
	for i, s := range w.Sources {
		f := fmt.Sprintf("web.basemap[%d]", i)
		if s.Name == "" || names[s.Name] {
			errs.Add(f+".name", s.Name, "a name shown in the layer switcher, unique among the sources")
		}
		names[s.Name] = true
		validTileURL(errs, f+".url", s.URL, s.Subdomains, false)
		validTileURL(errs, f+".labels_url", s.LabelsURL, s.Subdomains, true)
		if s.CRS != CRSWGS84 && s.CRS != CRSGCJ02 {
			errs.Add(f+".crs", s.CRS, "wgs84 (天地图 and other CGCS2000 or WGS-84 tiles, most self-hosted tiles) or gcj02 (高德, 腾讯); required: a wrong datum puts cases hundreds of metres off their street")
		}
		if s.MinZoom < 0 || s.MaxZoom < 0 || s.MaxZoom > 22 || (s.MaxZoom > 0 && s.MinZoom > s.MaxZoom) {
			errs.Add(f+".min_zoom/max_zoom", fmt.Sprintf("%d/%d", s.MinZoom, s.MaxZoom), "0 ≤ min_zoom ≤ max_zoom ≤ 22 (max_zoom 0: 18)")
		}
	}
	if w.TilesURL != "" {
		validTileURL(errs, "web.tiles_url", w.TilesURL, nil, false)
	}
}

const tileURLAllowed = "an http(s) URL template with {z}, {x} and {y} (and {s} only with subdomains), e.g. https://t{s}.example.cn/{z}/{x}/{y}.png, " +
	"or a WMTS GetTile URL with TILEMATRIX={z}&TILEROW={y}&TILECOL={x}; Web Mercator tiles only"

// validTileURL checks a tile URL template; optional allows it empty.
func validTileURL(errs *conf.Errors, field, tmpl string, subdomains []string, optional bool) {
	if tmpl == "" && optional {
		return
	}
	u, err := url.Parse(fillTemplate(tmpl, "a"))
	ok := err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" &&
		strings.Contains(tmpl, "{z}") && strings.Contains(tmpl, "{x}") && strings.Contains(tmpl, "{y}")
	if ok && strings.Contains(tmpl, "{s}") != (len(subdomains) > 0) {
		ok = false
	}
	if !ok {
		errs.Add(field, tmpl, tileURLAllowed)
	}
}

func fillTemplate(tmpl, sub string) string {
	return strings.NewReplacer("{z}", "0", "{x}", "0", "{y}", "0", "{s}", sub).Replace(tmpl)
}
