package web

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/store"
)

// Periods of the figures' series.
const (
	periodWeek  = "week"
	periodMonth = "month"
)

// maxPeriods bounds the empty periods filled in between from and to.
const maxPeriods = 400

// FiguresJSON are the figures a 数字城管 centre is judged by, of the cases
// filed (立案) in the range (docs/statistics.md defines each one).
type FiguresJSON struct {
	// Period is the series' period: week (Monday to Sunday) or month, in
	// the server's time zone.
	Period  string                `json:"period"`
	Total   FigureJSON            `json:"total"`
	Periods []PeriodFigureJSON    `json:"periods"`
	ByUnit  map[string]FigureJSON `json:"by_unit"`
	ByGrid  map[string]FigureJSON `json:"by_grid"`
	// Backlog is every open case over its current stage's deadline now,
	// whenever it was filed.
	Backlog BacklogJSON `json:"backlog"`
}

// FigureJSON is one group's figures. Rates are 0 when their denominator is.
type FigureJSON struct {
	Filed        int         `json:"filed"`
	Closed       int         `json:"closed"`
	ClosedRate   float64     `json:"closed_rate"`
	ClosedOnTime int         `json:"closed_on_time"`
	OnTimeRate   float64     `json:"on_time_rate"`
	Overdue      int         `json:"overdue"`
	OverdueOpen  int         `json:"overdue_open"`
	Stages       []StageJSON `json:"stages"`
}

// StageJSON is the mean time of one stage, over the cases that finished it.
type StageJSON struct {
	Stage       string  `json:"stage"`
	Cases       int     `json:"cases"`
	MeanSeconds float64 `json:"mean_seconds"`
}

// PeriodFigureJSON is one period of the series: its first day ("2026-11-30"
// for a week, "2026-12" for a month) and when it starts.
type PeriodFigureJSON struct {
	Period string    `json:"period"`
	From   time.Time `json:"from"`
	FigureJSON
}

// BacklogJSON counts open cases over their deadline now.
type BacklogJSON struct {
	Total  int            `json:"total"`
	ByUnit map[string]int `json:"by_unit"`
	ByGrid map[string]int `json:"by_grid"`
}

// parsePeriod reads the period parameter; empty is a month.
func parsePeriod(q url.Values) (string, error) {
	switch p := q.Get("period"); p {
	case "", periodMonth:
		return periodMonth, nil
	case periodWeek:
		return periodWeek, nil
	default:
		return "", fmt.Errorf("period: invalid value %q: allowed: week, month", p)
	}
}

// figures computes the figures of the cases filed in q's range.
func (s *server) figures(ctx context.Context, q store.StatsQuery, period string) (FiguresJSON, error) {
	deadlines := cases.DefaultDeadlines()
	if s.opts.Cases != nil {
		deadlines = s.opts.Cases.Deadlines()
	}
	f, err := s.opts.Store.CaseFigures(ctx, store.FiguresQuery{From: q.From, To: q.To, DayOffset: q.DayOffset,
		Deadlines: deadlines, Now: s.now()})
	if err != nil {
		return FiguresJSON{}, err
	}
	out := FiguresJSON{Period: period, Total: figureJSON(f.Total), ByUnit: map[string]FigureJSON{}, ByGrid: map[string]FigureJSON{},
		Backlog: BacklogJSON{Total: f.Backlog, ByUnit: f.BacklogByUnit, ByGrid: f.BacklogByGrid}}
	for k, c := range f.ByUnit {
		out.ByUnit[k] = figureJSON(c)
	}
	for k, c := range f.ByGrid {
		out.ByGrid[k] = figureJSON(c)
	}
	out.Periods = s.periodSeries(f.ByDay, period, q.From, q.To)
	return out, nil
}

func figureJSON(c store.FigureCounts) FigureJSON {
	out := FigureJSON{Filed: c.Filed, Closed: c.Closed, ClosedOnTime: c.ClosedOnTime, Overdue: c.Overdue,
		OverdueOpen: c.OverdueOpen, ClosedRate: ratio(c.Closed, c.Filed), OnTimeRate: ratio(c.ClosedOnTime, c.Closed),
		Stages: make([]StageJSON, 0, len(store.Stages))}
	for _, st := range store.Stages {
		t := c.Stages[st]
		out.Stages = append(out.Stages, StageJSON{Stage: st, Cases: t.Cases, MeanSeconds: t.Mean().Seconds()})
	}
	return out
}

func ratio(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return float64(n) / float64(of)
}
