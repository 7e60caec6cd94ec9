package config

import (
	"net/url"
	"strings"
	"time"
	_ "time/tzdata" // web.time_zone needs zone data even on images without /usr/share/zoneinfo

	"github.com/xiuhua/xiuhua/internal/conf"
)

// Web configures the officers' pages.
type Web struct {
	// TilesURL is a map tile server's URL template with {z}, {x} and {y}
	// (Web Mercator, 256-pixel tiles), drawn under the grid cells on the
	// maps. Empty (the default): the maps are drawn from the grid cells
	// alone, and the pages need nothing outside this server.
	TilesURL string `yaml:"tiles_url"`
	// TimeZone is the IANA zone the pages show times in, named beside
	// them (北京时间 for Asia/Shanghai). Default Asia/Shanghai: the
	// officers' clock, whatever zone the server host runs in.
	TimeZone string `yaml:"time_zone"`
}

// DefaultTimeZone is web.time_zone's default.
const DefaultTimeZone = "Asia/Shanghai"

// Location is the loaded web.time_zone; Validate has checked it.
func (w Web) Location() *time.Location {
	loc, err := time.LoadLocation(w.TimeZone)
	if err != nil || w.TimeZone == "" {
		loc, _ = time.LoadLocation(DefaultTimeZone)
	}
	return loc
}

func (w Web) validate(errs *conf.Errors) {
	if _, err := time.LoadLocation(w.TimeZone); err != nil || w.TimeZone == "" {
		errs.Add("web.time_zone", w.TimeZone, "an IANA time zone such as Asia/Shanghai, or UTC")
	}
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
