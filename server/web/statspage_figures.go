package web

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"time"

	"github.com/xiuhua/xiuhua/server/store"
)

// figuresView is the centre's figures on the statistics page: the totals,
// the stage times, the series by period (a table and an SVG bar chart of
// 立案数), and the tables by unit and grid cell.
type figuresView struct {
	Period            string
	WeekURL, MonthURL string
	CSVURL            string
	Total             figureRow
	Backlog           int
	Stages            []stageRow
	Periods           []figureRow
	PeriodChart       chart
	Units, Grids      []figureRow
	// Tables are Periods, Units and Grids as the page draws them, with
	// StageKeys the stage columns' headings.
	Tables    []figTable
	StageKeys []string
}

type figTable struct {
	ID, TitleKey, KeyHead string
	Rows                  []figureRow
	Backlog               bool // a column of the open cases over their deadline now
}

// figureRow is one line of a figures table, its rates and times written
// out ("75%", "1小时30分"; "—" where there is nothing to divide).
type figureRow struct {
	Label                                string
	Filed, Closed, ClosedOnTime, Overdue int
	OverdueOpen, Backlog                 int
	ClosedRate, OnTimeRate               string
	StageMeans                           []string
}

type stageRow struct {
	LabelKey string
	Cases    int
	Mean     string
}

// pageFigures fills the page's figures of the cases filed in q's range,
// by the period the query asks for; false when it wrote an error.
func (s *server) pageFigures(w http.ResponseWriter, r *http.Request, q store.StatsQuery, data *statsPageData) bool {
	period, err := parsePeriod(r.URL.Query())
	if err != nil {
		s.errorPage(w, r, http.StatusBadRequest, err.Error())
		return false
	}
	fig, err := s.figures(r.Context(), q, period)
	if err != nil {
		s.log.Error("stats: figures", "err", err)
		s.errorPage(w, r, http.StatusInternalServerError, "")
		return false
	}
	data.Figures = figuresOf(&data.pageBase, fig, r.URL.Query())
	return true
}

// figuresOf lays the figures out for the page. query is the page's own
// query, for the period switch and the CSV link.
func figuresOf(p *pageBase, f FiguresJSON, query url.Values) figuresView {
	v := figuresView{Period: f.Period, Total: figureRowOf(p, "", f.Total), Backlog: f.Backlog.Total}
	link := func(path string, set map[string]string) string {
		q := url.Values{}
		for _, k := range []string{"from", "to", "period"} {
			if x := query.Get(k); x != "" {
				q.Set(k, x)
			}
		}
		for k, x := range set {
			q.Set(k, x)
		}
		return path + "?" + q.Encode()
	}
	v.WeekURL = link("/stats", map[string]string{"period": periodWeek})
	v.MonthURL = link("/stats", map[string]string{"period": periodMonth})
	v.CSVURL = link("/stats.csv", map[string]string{"period": f.Period})
	for _, st := range f.Total.Stages {
		v.Stages = append(v.Stages, stageRow{LabelKey: "stage." + st.Stage, Cases: st.Cases, Mean: meanText(p, st)})
	}
	v.PeriodChart = chart{ID: "figures-chart", TitleKey: "fig.chart"}
	for _, pf := range f.Periods {
		label := pf.Period
		if f.Period == periodWeek {
			label = p.Tf("fig.week_of", pf.Period)
		}
		v.Periods = append(v.Periods, figureRowOf(p, label, pf.FigureJSON))
		v.PeriodChart.Bars = append(v.PeriodChart.Bars, bar{Label: label, Count: pf.Filed})
	}
	layoutChart(&v.PeriodChart)
	v.Units = figureRows(p, f.ByUnit, f.Backlog.ByUnit, p.T("fig.no_unit"))
	v.Grids = figureRows(p, f.ByGrid, f.Backlog.ByGrid, p.T("stats.no_cell"))
	v.Tables = []figTable{
		{ID: "figures-periods", TitleKey: "fig.by_period", KeyHead: "fig.period_col", Rows: v.Periods},
		{ID: "figures-units", TitleKey: "fig.by_unit", KeyHead: "fig.unit", Rows: v.Units, Backlog: true},
		{ID: "figures-grids", TitleKey: "fig.by_grid", KeyHead: "fig.grid", Rows: v.Grids, Backlog: true},
	}
	for _, st := range store.Stages {
		v.StageKeys = append(v.StageKeys, "stage."+st)
	}
	return v
}

// figureRows is a table by unit or grid cell, busiest first; keys with a
// backlog but no case filed in the range are rows too.
func figureRows(p *pageBase, m map[string]FigureJSON, backlog map[string]int, none string) []figureRow {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for k := range backlog {
		if _, ok := m[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]].Filed != m[keys[j]].Filed {
			return m[keys[i]].Filed > m[keys[j]].Filed
		}
		return keys[i] < keys[j]
	})
	out := make([]figureRow, 0, len(keys))
	for _, k := range keys {
		label := k
		if k == "" {
			label = none
		}
		f, ok := m[k]
		if !ok {
			f = figureJSON(store.FigureCounts{})
		}
		r := figureRowOf(p, label, f)
		r.Backlog = backlog[k]
		out = append(out, r)
	}
	return out
}

func figureRowOf(p *pageBase, label string, f FigureJSON) figureRow {
	r := figureRow{Label: label, Filed: f.Filed, Closed: f.Closed, ClosedOnTime: f.ClosedOnTime, Overdue: f.Overdue,
		OverdueOpen: f.OverdueOpen, ClosedRate: percent(f.ClosedRate, f.Filed), OnTimeRate: percent(f.OnTimeRate, f.Closed)}
	for _, st := range f.Stages {
		r.StageMeans = append(r.StageMeans, meanText(p, st))
	}
	return r
}

// percent writes a rate; "—" when nothing was there to count.
func percent(rate float64, of int) string {
	if of == 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f%%", 100*rate)
}

func meanText(p *pageBase, st StageJSON) string {
	if st.Cases == 0 {
		return "—"
	}
	return p.Duration(time.Duration(st.MeanSeconds * float64(time.Second)))
}
