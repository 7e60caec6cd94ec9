package web

import (
	"fmt"
	"net/http"
	"sort"

	"github.com/xiuhua/xiuhua/server/store"
)

// autonomyTable is one breakdown of warn first's 自治率 on the statistics
// page: per type, grid cell or camera, the violations corrected after a
// warning and those filed anyway (已劝导未整改).
type autonomyTable struct {
	ID, TitleKey string
	Rows         []autonomyRow
}

type autonomyRow struct {
	Label            string
	Corrected, Filed int
	Rate             string // "75%"
}

// autonomy fills the page's 自治率 tables for q; false when it wrote an
// error.
func (s *server) autonomy(w http.ResponseWriter, r *http.Request, q store.StatsQuery, data *statsPageData) bool {
	a, err := s.opts.Store.Autonomy(r.Context(), q)
	if err != nil {
		s.log.Error("stats: autonomy", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return false
	}
	data.AutonomyTotal = autonomyRowOf("", a.Total)
	cell := func(k string) string {
		if k == "" {
			return data.T("stats.no_cell")
		}
		return k
	}
	data.Autonomy = []autonomyTable{
		{ID: "autonomy-by-type", TitleKey: "stats.by_type", Rows: autonomyRows(a.ByType, data.TypeLabel)},
		{ID: "autonomy-by-grid", TitleKey: "stats.by_grid", Rows: autonomyRows(a.ByGrid, cell)},
		{ID: "autonomy-by-camera", TitleKey: "stats.by_camera", Rows: autonomyRows(a.ByCamera, func(k string) string { return k })},
	}
	return true
}

func autonomyRows(m map[string]store.AutonomyCount, label func(string) string) []autonomyRow {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]autonomyRow, 0, len(keys))
	for _, k := range keys {
		out = append(out, autonomyRowOf(label(k), m[k]))
	}
	return out
}

func autonomyRowOf(label string, c store.AutonomyCount) autonomyRow {
	return autonomyRow{Label: label, Corrected: c.Corrected, Filed: c.Filed, Rate: fmt.Sprintf("%.0f%%", 100*c.Rate())}
}
