package web

import (
	"net/http"

	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/store"
)

var mapTemplate = pageTemplate("map.html")

type mapPageData struct {
	pageBase
	Map   mapView
	Open  int
	Cases []pageCase
}

// openCasesLimit bounds the open cases one map shows, per status.
const openCasesLimit = store.MaxLimit

// mapPage draws the grid cells and the open cases.
func (s *server) mapPage(w http.ResponseWriter, r *http.Request) {
	var open []store.Case
	for _, st := range cases.Statuses {
		if !cases.Open(st) {
			continue
		}
		page, err := s.opts.Store.ListCases(r.Context(), store.CaseFilter{Status: st, Limit: openCasesLimit, NoThumbnails: true})
		if err != nil {
			s.log.Error("list open cases", "err", err)
			s.errorPage(w, r, http.StatusInternalServerError, "")
			return
		}
		open = append(open, page.Cases...)
	}
	in := mapInput{Cases: open, TilesURL: s.opts.TilesURL, MaxPx: 900,
		Overdue: func(c store.Case) bool { return s.opts.Cases.Overdue(c, s.now()) }}
	if s.opts.Grid != nil {
		in.Cells = s.opts.Grid.Cells()
	}
	data := &mapPageData{pageBase: s.base(w, r, "map", "map.title"), Map: buildMap(in), Open: len(open)}
	for _, c := range open {
		data.Cases = append(data.Cases, pageCase{CaseJSON: s.toCaseJSON(c), PageURL: casePageURL(c.ID)})
	}
	s.render(w, mapTemplate, data)
}
