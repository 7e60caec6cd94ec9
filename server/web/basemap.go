package web

import (
	"math"
	"net/url"
	"strconv"
	"strings"

	"github.com/xiuhua/xiuhua/internal/geo"
	"github.com/xiuhua/xiuhua/server/grid"
)

// TileSource is one basemap (web.basemap), as the pages' map script gets
// it. The config package has validated it.
type TileSource struct {
	Name        string   `json:"name"`
	URL         string   `json:"url"`
	LabelsURL   string   `json:"labels_url,omitempty"`
	Subdomains  []string `json:"subdomains,omitempty"`
	CRS         string   `json:"crs"` // wgs84 or gcj02
	Attribution string   `json:"attribution,omitempty"`
	MinZoom     int      `json:"min_zoom"`
	MaxZoom     int      `json:"max_zoom"`
}

// Tile datums.
const (
	crsWGS84 = "wgs84"
	crsGCJ02 = "gcj02"
)

// tileOrigins are the scheme://host of every tile the sources can load,
// one per subdomain: exactly what the Content-Security-Policy allows
// pictures from, beside this server.
func tileOrigins(sources []TileSource) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range sources {
		subs := s.Subdomains
		if len(subs) == 0 {
			subs = []string{""}
		}
		for _, tmpl := range []string{s.URL, s.LabelsURL} {
			for _, sub := range subs {
				u, err := url.Parse(strings.NewReplacer("{z}", "0", "{x}", "0", "{y}", "0", "{s}", sub).Replace(tmpl))
				if tmpl == "" || err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
					continue
				}
				if o := u.Scheme + "://" + u.Host; !seen[o] {
					seen[o] = true
					out = append(out, o)
				}
			}
		}
	}
	return out
}

// crsList are the datums the sources need positions in: WGS-84 always
// (the stored one), GCJ-02 when a source is in it.
func crsList(sources []TileSource) []string {
	out := []string{crsWGS84}
	for _, s := range sources {
		if s.CRS == crsGCJ02 {
			return append(out, crsGCJ02)
		}
	}
	return out
}

// latLon is a position as Leaflet takes it: [latitude, longitude].
type latLon [2]float64

// MarshalJSON writes 7 decimals at most (about a centimetre): a map of a
// few hundred cells is a third smaller than with every float64 digit.
func (p latLon) MarshalJSON() ([]byte, error) {
	b := []byte{'['}
	b = strconv.AppendFloat(b, math.Round(p[0]*1e7)/1e7, 'f', -1, 64)
	b = append(b, ',')
	b = strconv.AppendFloat(b, math.Round(p[1]*1e7)/1e7, 'f', -1, 64)
	return append(b, ']'), nil
}

// inCRS moves a WGS-84 position into a tile datum. Positions are shifted
// here, on the server, with the one GCJ-02 implementation both binaries
// use (internal/geo), rather than again in the page's script.
func inCRS(crs string, lat, lon float64) latLon {
	if crs == crsGCJ02 {
		p := geo.ToGCJ02(geo.Point{Lat: lat, Lon: lon})
		return latLon{p.Lat, p.Lon}
	}
	return latLon{lat, lon}
}

// lmapCell is a grid cell for the map script: its polygons (each rings:
// the outer one, then holes) in every datum the sources need.
type lmapCell struct {
	Code      string                  `json:"code"`
	Label     string                  `json:"label"`
	Community string                  `json:"community,omitempty"`
	Street    string                  `json:"street,omitempty"`
	Unit      string                  `json:"unit,omitempty"`
	Open      int                     `json:"open"`
	Level     int                     `json:"level"`
	Here      bool                    `json:"here,omitempty"`
	Polygons  map[string][][][]latLon `json:"polygons"`
}

// lmapPoint is a case for the map script, with what its popup says.
type lmapPoint struct {
	ID      string            `json:"id"`
	URL     string            `json:"url"`
	Status  string            `json:"status"`
	Overdue bool              `json:"overdue,omitempty"`
	Title   string            `json:"title"` // type · status
	Place   string            `json:"place"` // cell, community, street, unit
	Address string            `json:"address,omitempty"`
	At      map[string]latLon `json:"at"`
}

// lmapData is everything the map script draws, in a JSON island.
type lmapData struct {
	Sources []TileSource      `json:"sources"`
	Cells   []lmapCell        `json:"cells"`
	Points  []lmapPoint       `json:"points"`
	Counts  bool              `json:"counts"`
	Marker  bool              `json:"marker"` // one case: a pin, not a dot
	Text    map[string]string `json:"text"`
}

func toLmapCell(p *pageBase, c grid.Cell, mc mapCell, datums []string) lmapCell {
	out := lmapCell{Code: c.Code, Label: p.CellLabel(toCellJSON(c)), Community: c.Community, Street: c.Street, Unit: c.Unit,
		Open: mc.Open, Level: mc.Level, Here: mc.Highlight, Polygons: map[string][][][]latLon{}}
	for _, crs := range datums {
		polys := make([][][]latLon, 0, len(c.Polygons))
		for _, poly := range c.Polygons {
			rings := make([][]latLon, 0, len(poly))
			for _, ring := range poly {
				pts := make([]latLon, len(ring))
				for i, pt := range ring {
					pts[i] = inCRS(crs, pt.Y, pt.X)
				}
				rings = append(rings, pts)
			}
			polys = append(polys, rings)
		}
		out.Polygons[crs] = polys
	}
	return out
}

// placeLine is a case's place in one line: cell, 社区, 街道, unit.
func placeLine(p *pageBase, cell *CellJSON) string {
	if cell == nil {
		return ""
	}
	parts := []string{p.CellLabel(cell)}
	for _, s := range []string{cell.Community, cell.Street, cell.Unit} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, " · ")
}

// leaflet is the map script's data for a map already laid out as mv;
// nil when no basemap is configured (the SVG alone is drawn then).
func (s *server) leaflet(p *pageBase, in mapInput, mv mapView, marker bool) *lmapData {
	if len(s.opts.Basemap) == 0 {
		return nil
	}
	datums := crsList(s.opts.Basemap)
	d := &lmapData{Sources: s.opts.Basemap, Counts: mv.Counts, Marker: marker, Cells: []lmapCell{}, Points: []lmapPoint{},
		Text: map[string]string{"open": p.T("map.cell_open")}}
	for i, c := range in.Cells {
		d.Cells = append(d.Cells, toLmapCell(p, c, mv.Cells[i], datums))
	}
	for _, c := range in.Cases {
		if c.Location == nil {
			continue
		}
		pt := lmapPoint{ID: c.ID, URL: casePageURL(c.ID), Status: c.Status, Address: c.Address,
			Title: p.TypeLabel(c.ViolationType) + " · " + p.StatusLabel(c.Status),
			Place: placeLine(p, s.cellOf(c)), At: map[string]latLon{}}
		if in.Overdue != nil {
			pt.Overdue = in.Overdue(c)
		}
		for _, crs := range datums {
			pt.At[crs] = inCRS(crs, c.Location.Lat, c.Location.Lon)
		}
		d.Points = append(d.Points, pt)
	}
	return d
}

// finishMap adds to a laid-out map what needs the page's language: the
// cells' labels, and the map script's data or, without a basemap, the
// note saying so. marker draws the cases as pins (one case's map).
func (s *server) finishMap(p *pageBase, in mapInput, mv *mapView, marker bool) {
	for i, c := range in.Cells {
		mv.Cells[i].Label = p.CellLabel(toCellJSON(c))
	}
	mv.Leaflet = s.leaflet(p, in, *mv, marker)
	if mv.Leaflet == nil {
		mv.Note = []string{p.T("map.no_basemap"), p.T("map.no_basemap_set"), p.T("map.no_basemap_see")}
	}
}
