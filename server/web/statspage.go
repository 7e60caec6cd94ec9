package web

import (
	"net/http"
	"sort"
	"time"

	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/store"
)

var statsTemplate = pageTemplate("stats.html")

type statsPageData struct {
	pageBase
	Total    int
	From, To string
	Charts   []chart
	// Autonomy is warn first's 自治率, by type, grid cell and camera.
	Autonomy      []autonomyTable
	AutonomyTotal autonomyRow
	// Figures are the centre's figures of the cases filed in the range.
	Figures figuresView
}

// chart is a horizontal bar chart drawn as SVG.
type chart struct {
	ID, TitleKey string
	Height       int
	Bars         []bar
}

type bar struct {
	Label      string
	Count      int
	Y, TextY   int
	Width      string // of the bar, in the 0–100 % wide bar area
	LabelClass string
}

// Chart geometry, in SVG units of a 640-wide view box.
const (
	chartRow    = 26
	chartLabelW = 200
	chartBarW   = 380
)

func (s *server) statsPage(w http.ResponseWriter, r *http.Request) {
	data := &statsPageData{pageBase: s.base(w, r, "stats", "stats.title")}
	f, err := s.pageFilter(r.URL.Query())
	if err != nil {
		s.errorPage(w, r, http.StatusBadRequest, err.Error())
		return
	}
	data.From, data.To = r.URL.Query().Get("from"), r.URL.Query().Get("to")
	_, off := s.now().In(s.opts.Location).Zone()
	q := store.StatsQuery{From: f.From, To: f.To, DayOffset: time.Duration(off) * time.Second}
	st, err := s.opts.Store.Stats(r.Context(), q)
	if err != nil {
		s.log.Error("stats", "err", err)
		s.errorPage(w, r, http.StatusInternalServerError, "")
		return
	}
	if !s.pageFigures(w, r, q, data) {
		return
	}
	if !s.autonomy(w, r, q, data) {
		return
	}
	data.Total = st.Total
	byKey := func(m map[string]int, order []string, label func(string) string) []bar {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		rank := map[string]int{}
		for i, k := range order {
			rank[k] = i + 1
		}
		sort.Slice(keys, func(i, j int) bool {
			ri, rj := rank[keys[i]], rank[keys[j]]
			if ri != rj && ri != 0 && rj != 0 {
				return ri < rj
			}
			if (ri == 0) != (rj == 0) {
				return ri != 0
			}
			if order == nil && m[keys[i]] != m[keys[j]] {
				return m[keys[i]] > m[keys[j]]
			}
			return keys[i] < keys[j]
		})
		out := make([]bar, 0, len(keys))
		for _, k := range keys {
			out = append(out, bar{Label: label(k), Count: m[k]})
		}
		return out
	}
	ident := func(k string) string {
		if k == "" {
			return data.T("stats.no_cell")
		}
		return k
	}
	days := make([]string, 0, len(st.ByDay))
	for d := range st.ByDay {
		days = append(days, d)
	}
	sort.Strings(days)
	data.Charts = []chart{
		{ID: "by-type", TitleKey: "stats.by_type", Bars: byKey(st.ByType, violationTypes, data.TypeLabel)},
		{ID: "by-status", TitleKey: "stats.by_status", Bars: byKey(st.ByStatus, cases.Statuses, data.StatusLabel)},
		{ID: "by-grid", TitleKey: "stats.by_grid", Bars: byKey(st.ByGrid, nil, ident)},
		{ID: "by-day", TitleKey: "stats.by_day", Bars: byKey(st.ByDay, days, ident)},
	}
	for i := range data.Charts {
		layoutChart(&data.Charts[i])
	}
	s.render(w, statsTemplate, data)
}

func layoutChart(c *chart) {
	most := 1
	for _, b := range c.Bars {
		most = max(most, b.Count)
	}
	for i := range c.Bars {
		b := &c.Bars[i]
		b.Y = i * chartRow
		b.TextY = b.Y + chartRow/2 + 5
		b.Width = num(float64(chartBarW) * float64(b.Count) / float64(most))
	}
	c.Height = max(len(c.Bars), 1) * chartRow
}
