package config

import (
	"net/url"
	"strings"
	"time"

	"github.com/xiuhua/xiuhua/internal/conf"
)

// Address is how a new case gets its place in words (docs/map.md): the
// hook's answer when one is configured, else the nearest named feature of
// StreetsGeoJSON, else none. Computed once, when the case is opened.
type Address struct {
	// StreetsGeoJSON is a FeatureCollection of named streets and POIs
	// (Point, LineString and their Multi forms; properties name or 名称).
	StreetsGeoJSON string `yaml:"streets_geojson"`
	// MaxDistanceM is how far a street or POI may be and still name the
	// place.
	MaxDistanceM float64     `yaml:"max_distance_m"`
	Hook         AddressHook `yaml:"hook"`
}

// AddressHook is a reverse-geocoding service asked for each new case.
type AddressHook struct {
	// URL is an http(s) template with {lat} and {lon}; empty: no hook.
	URL string `yaml:"url"`
	// Field is the answer's JSON path, e.g. result.formatted_address.
	Field string `yaml:"field"`
	// CRS is the datum the service expects: wgs84 (天地图) or gcj02 (高德, 腾讯).
	CRS       string        `yaml:"crs"`
	Timeout   conf.Duration `yaml:"timeout"`
	CacheSize int           `yaml:"cache_size"`
}

func defaultAddress() Address {
	return Address{MaxDistanceM: 200, Hook: AddressHook{Timeout: conf.Duration(3 * time.Second), CacheSize: 10000}}
}

func (a Address) validate(errs *conf.Errors) {
	if a.MaxDistanceM <= 0 || a.MaxDistanceM > 5000 {
		errs.Add("address.max_distance_m", a.MaxDistanceM, "above 0 and at most 5000 (metres)")
	}
	h := a.Hook
	if h.URL == "" {
		return
	}
	u, err := url.Parse(strings.NewReplacer("{lat}", "0", "{lon}", "0").Replace(h.URL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		!strings.Contains(h.URL, "{lat}") || !strings.Contains(h.URL, "{lon}") {
		errs.Add("address.hook.url", h.URL, "empty, or an http(s) URL template with {lat} and {lon}, e.g. https://api.tianditu.gov.cn/geocoder?postStr={'lon':{lon},'lat':{lat},'ver':1}&type=geocode&tk=KEY")
	}
	if h.Field == "" || strings.Contains(h.Field, "..") || strings.HasPrefix(h.Field, ".") || strings.HasSuffix(h.Field, ".") {
		errs.Add("address.hook.field", h.Field, "the answer's JSON path to the address, dot-separated, e.g. result.formatted_address (天地图) or regeocode.formatted_address (高德)")
	}
	if h.CRS != CRSWGS84 && h.CRS != CRSGCJ02 {
		errs.Add("address.hook.crs", h.CRS, "wgs84 (天地图) or gcj02 (高德, 腾讯): the datum the service expects; required")
	}
	if t := time.Duration(h.Timeout); t < 100*time.Millisecond || t > time.Minute {
		errs.Add("address.hook.timeout", t.String(), "100ms to 1m")
	}
	if h.CacheSize < 0 {
		errs.Add("address.hook.cache_size", h.CacheSize, "0 (no cache) or more answers")
	}
}
