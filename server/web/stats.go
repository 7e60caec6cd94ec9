package web

import (
	"fmt"
	"net/http"
	"time"

	"github.com/xiuhua/xiuhua/internal/geo"
	"github.com/xiuhua/xiuhua/server/grid"
	"github.com/xiuhua/xiuhua/server/store"
)

// StatsJSON is the answer of GET /api/v1/stats.
type StatsJSON struct {
	Total    int            `json:"total"`
	ByType   map[string]int `json:"by_type"`
	ByStatus map[string]int `json:"by_status"`
	ByGrid   map[string]int `json:"by_grid"`
	// ByDay counts by day in the server's time zone.
	ByDay map[string]int `json:"by_day"`
	// Autonomy is warn first's 自治率: of the violations warned about on
	// site and observed in the range, how many were gone at the second
	// look (corrected, never a case) and how many were filed
	// (已劝导未整改).
	Autonomy AutonomyJSON `json:"autonomy"`
	// Figures are the centre's figures (立案数, 结案率, 按期结案率, 超期数,
	// stage times) of the cases filed in the range, by period (the period
	// parameter: week or month), unit and grid cell.
	Figures FiguresJSON `json:"figures"`
}

// AutonomyJSON is warn first's outcome counts with their rate, in all and
// by type, grid cell and camera ("device/camera").
type AutonomyJSON struct {
	AutonomyRateJSON
	ByType   map[string]AutonomyRateJSON `json:"by_type"`
	ByGrid   map[string]AutonomyRateJSON `json:"by_grid"`
	ByCamera map[string]AutonomyRateJSON `json:"by_camera"`
}

// AutonomyRateJSON is one count of warned violations: Rate is
// corrected / (corrected + filed), 0 when none was warned.
type AutonomyRateJSON struct {
	Corrected int     `json:"corrected"`
	Filed     int     `json:"filed"`
	Rate      float64 `json:"rate"`
}

func toAutonomyJSON(a store.Autonomy) AutonomyJSON {
	rate := func(c store.AutonomyCount) AutonomyRateJSON {
		return AutonomyRateJSON{Corrected: c.Corrected, Filed: c.Filed, Rate: c.Rate()}
	}
	conv := func(m map[string]store.AutonomyCount) map[string]AutonomyRateJSON {
		out := make(map[string]AutonomyRateJSON, len(m))
		for k, c := range m {
			out[k] = rate(c)
		}
		return out
	}
	return AutonomyJSON{AutonomyRateJSON: rate(a.Total), ByType: conv(a.ByType), ByGrid: conv(a.ByGrid), ByCamera: conv(a.ByCamera)}
}

// stats counts cases created in [from, to), warned violations observed
// then, and the figures of the cases filed then.
func (s *server) stats(w http.ResponseWriter, r *http.Request) {
	f, err := caseFilter(r.URL.Query(), 1)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	period, err := parsePeriod(r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	_, off := s.now().In(s.opts.Location).Zone()
	q := store.StatsQuery{From: f.From, To: f.To, DayOffset: time.Duration(off) * time.Second}
	st, err := s.opts.Store.Stats(r.Context(), q)
	if err != nil {
		s.log.Error("stats", "err", err)
		writeError(w, http.StatusInternalServerError, "internal error")
		return
	}
	au, err := s.opts.Store.Autonomy(r.Context(), q)
	if err != nil {
		s.log.Error("stats: autonomy", "err", err)
		writeError(w, http.StatusInternalServerError, "internal error")
		return
	}
	fig, err := s.figures(r.Context(), q, period)
	if err != nil {
		s.log.Error("stats: figures", "err", err)
		writeError(w, http.StatusInternalServerError, "internal error")
		return
	}
	writeJSON(w, http.StatusOK, StatsJSON{Total: st.Total, ByType: st.ByType, ByStatus: st.ByStatus, ByGrid: st.ByGrid,
		ByDay: st.ByDay, Autonomy: toAutonomyJSON(au), Figures: fig})
}

// GridCellJSON is a grid cell in the API.
type GridCellJSON struct {
	Code string `json:"code"`
	Name string `json:"name"`
	Unit string `json:"unit"`
	// Geometry is the cell's outline as a GeoJSON MultiPolygon in WGS-84,
	// GeometryGCJ02 the same for Chinese web maps, so that an integration
	// can draw the grid without the city's GeoJSON file.
	Geometry      MultiPolygonJSON `json:"geometry"`
	GeometryGCJ02 MultiPolygonJSON `json:"geometry_gcj02"`
}

// MultiPolygonJSON is a GeoJSON MultiPolygon: polygons of rings of
// [longitude, latitude] positions, each polygon's outer ring first.
type MultiPolygonJSON struct {
	Type        string           `json:"type"`
	Coordinates [][][][2]float64 `json:"coordinates"`
}

func multiPolygon(polys [][][]grid.Point, project func(grid.Point) grid.Point) MultiPolygonJSON {
	out := MultiPolygonJSON{Type: "MultiPolygon", Coordinates: make([][][][2]float64, len(polys))}
	for i, rings := range polys {
		out.Coordinates[i] = make([][][2]float64, len(rings))
		for j, ring := range rings {
			out.Coordinates[i][j] = make([][2]float64, len(ring))
			for k, p := range ring {
				q := project(p)
				out.Coordinates[i][j][k] = [2]float64{q.X, q.Y}
			}
		}
	}
	return out
}

func asIs(p grid.Point) grid.Point { return p }

func gridGCJ02(p grid.Point) grid.Point {
	g := geo.ToGCJ02(geo.Point{Lat: p.Y, Lon: p.X})
	return grid.Point{X: g.Lon, Y: g.Lat}
}

// GridCellsJSON is the answer of GET /api/v1/grid/cells.
type GridCellsJSON struct {
	Cells []GridCellJSON `json:"cells"`
}

// gridCells lists the grid's cells (for a generated grid: those handed out
// so far).
func (s *server) gridCells(w http.ResponseWriter, r *http.Request) {
	out := GridCellsJSON{Cells: []GridCellJSON{}}
	if s.opts.Grid != nil {
		for _, c := range s.opts.Grid.Cells() {
			out.Cells = append(out.Cells, GridCellJSON{Code: c.Code, Name: c.Name, Unit: c.Unit,
				Geometry: multiPolygon(c.Polygons, asIs), GeometryGCJ02: multiPolygon(c.Polygons, gridGCJ02)})
		}
	}
	if len(r.URL.Query()) > 0 {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("query: unexpected parameters %q: allowed: none", r.URL.RawQuery))
		return
	}
	writeJSON(w, http.StatusOK, out)
}
