package config

import (
	"time"
	_ "time/tzdata" // web.time_zone needs zone data even on images without /usr/share/zoneinfo

	"github.com/xiuhua/xiuhua/internal/conf"
)

// Web configures the officers' pages.
type Web struct {
	// Sources are the basemaps (web.basemap): the first is shown, the
	// others can be switched to. None (the default): the maps are drawn
	// from the grid cells alone, with a note saying no basemap is
	// configured, and the pages need nothing outside this server.
	Sources []TileSource `yaml:"basemap"`
	// TilesURL is deprecated: one XYZ template, the same as a basemap of
	// one wgs84 source. Use web.basemap.
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
	w.validateBasemap(errs)
}
