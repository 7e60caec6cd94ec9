package web

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"time"

	"github.com/xiuhua/xiuhua/server/store"
)

// statsCSV downloads the statistics page's figure tables (total, by
// period, unit and grid cell) as one CSV file in the page's language,
// with a byte-order mark so that spreadsheet programs read it as UTF-8.
func (s *server) statsCSV(w http.ResponseWriter, r *http.Request) {
	p := s.base(w, r, "stats", "stats.title")
	f, err := s.pageFilter(r.URL.Query())
	if err == nil {
		_, err = parsePeriod(r.URL.Query())
	}
	if err != nil {
		s.errorPage(w, r, http.StatusBadRequest, err.Error())
		return
	}
	period, _ := parsePeriod(r.URL.Query())
	_, off := s.now().In(s.opts.Location).Zone()
	fig, err := s.figures(r.Context(), store.StatsQuery{From: f.From, To: f.To, DayOffset: time.Duration(off) * time.Second}, period)
	if err != nil {
		s.log.Error("stats csv: figures", "err", err)
		s.errorPage(w, r, http.StatusInternalServerError, "")
		return
	}
	v := figuresOf(&p, fig, r.URL.Query())
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="statistics-`+period+`.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte("\ufeff"))
	out := csv.NewWriter(w)
	head := []string{p.T("fig.csv_group"), "", p.T("fig.filed"), p.T("fig.closed"), p.T("fig.closed_rate"), p.T("fig.closed_on_time"),
		p.T("fig.on_time_rate"), p.T("fig.overdue"), p.T("fig.overdue_open"), p.T("fig.backlog")}
	for _, k := range v.StageKeys {
		head = append(head, p.T(k))
	}
	_ = out.Write(head)
	row := func(group string, r figureRow, backlog int) {
		rec := []string{group, r.Label, itoa(r.Filed), itoa(r.Closed), r.ClosedRate, itoa(r.ClosedOnTime), r.OnTimeRate,
			itoa(r.Overdue), itoa(r.OverdueOpen), itoa(backlog)}
		_ = out.Write(append(rec, r.StageMeans...))
	}
	row(p.T("fig.csv_total"), v.Total, v.Backlog)
	for _, t := range v.Tables {
		for _, r := range t.Rows {
			row(p.T(t.TitleKey), r, r.Backlog)
		}
	}
	out.Flush()
	if err := out.Error(); err != nil {
		s.log.Warn("stats csv: write", "err", err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
