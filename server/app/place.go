package app

import (
	"fmt"
	"log/slog"

	"github.com/xiuhua/xiuhua/server/config"
	"github.com/xiuhua/xiuhua/server/place"
	"github.com/xiuhua/xiuhua/server/store"
	"github.com/xiuhua/xiuhua/server/web"
)

// openAddresser loads the streets file and sets up the address hook
// (address.*); with neither, new cases get no address.
func openAddresser(cfg config.Address, st store.Store, log *slog.Logger) (*place.Addresser, error) {
	a := &place.Addresser{MaxMetres: cfg.MaxDistanceM, Log: log.With("component", "address")}
	if cfg.StreetsGeoJSON != "" {
		s, err := place.Load(cfg.StreetsGeoJSON)
		if err != nil {
			return nil, fmt.Errorf("address.streets_geojson: %w", err)
		}
		a.Streets = s
	}
	if h := cfg.Hook; h.URL != "" {
		setter, ok := st.(place.Setter)
		if !ok {
			return nil, fmt.Errorf("address.hook: the store cannot keep addresses found later")
		}
		a.Store = setter
		a.Hook = place.NewHook(place.HookConfig{URL: h.URL, Field: h.Field, GCJ02: h.CRS == config.CRSGCJ02,
			Timeout: h.Timeout.D(), CacheSize: h.CacheSize})
	}
	return a, nil
}

// basemap is web.basemap for the pages.
func basemap(sources []config.TileSource) []web.TileSource {
	out := make([]web.TileSource, len(sources))
	for i, s := range sources {
		out[i] = web.TileSource{Name: s.Name, URL: s.URL, LabelsURL: s.LabelsURL, Subdomains: s.Subdomains, CRS: s.CRS,
			Attribution: s.Attribution, MinZoom: s.MinZoom, MaxZoom: s.MaxZoom}
	}
	return out
}
