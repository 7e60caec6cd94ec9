package config

import (
	"net/url"
	"strings"

	"github.com/xiuhua/xiuhua/internal/conf"
)

// Web configures the officers' pages.
type Web struct {
	// TilesURL is a map tile server's URL template with {z}, {x} and {y}
	// (Web Mercator, 256-pixel tiles), drawn under the grid cells on the
	// maps. Empty (the default): the maps are drawn from the grid cells
	// alone, and the pages need nothing outside this server.
	TilesURL string `yaml:"tiles_url"`
}

func (w Web) validate(errs *conf.Errors) {
	if w.TilesURL == "" {
		return
	}
	const allowed = "empty, or an http(s) URL template with {z}, {x} and {y}, e.g. https://tiles.example.cn/{z}/{x}/{y}.png"
	u, err := url.Parse(strings.NewReplacer("{z}", "0", "{x}", "0", "{y}", "0").Replace(w.TilesURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs.Add("web.tiles_url", w.TilesURL, allowed)
		return
	}
	for _, p := range []string{"{z}", "{x}", "{y}"} {
		if !strings.Contains(w.TilesURL, p) {
			errs.Add("web.tiles_url", w.TilesURL, allowed)
			return
		}
	}
}
