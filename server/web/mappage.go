package web

import (
	"cmp"
	"net/http"

	"github.com/xiuhua/xiuhua/server/store"
)

var mapTemplate = pageTemplate("map.html")

type mapPageData struct {
	pageBase
	Map mapView
	// Open is every open case; Shown those drawn one by one and listed.
	Open, Shown int
	Cases       []pageCase
}

// mapPoints bounds the open cases the map draws one by one and lists: the
// newest of them, all of them in a small city. A district has tens of
// thousands open (docs/scale.md), too many to draw, list or read; every
// cell shows the count of all of its open cases instead.
const mapPoints = 300

// mapPage draws the grid cells with their open cases' counts and the
// newest open cases.
func (s *server) mapPage(w http.ResponseWriter, r *http.Request) {
	open := openStatuses()
	byCell, err := s.opts.Store.CountByCell(r.Context(), open)
	if err != nil {
		s.log.Error("count open cases by cell", "err", err)
		s.errorPage(w, r, http.StatusInternalServerError, "")
		return
	}
	page, err := s.opts.Store.ListCases(r.Context(), store.CaseFilter{Statuses: open, Limit: cmp.Or(s.opts.mapPoints, mapPoints), NoThumbnails: true})
	if err != nil {
		s.log.Error("list open cases", "err", err)
		s.errorPage(w, r, http.StatusInternalServerError, "")
		return
	}
	in := mapInput{Cases: page.Cases, CellOpen: byCell, MaxPx: 900,
		Overdue: func(c store.Case) bool { return s.opts.Cases.Overdue(c, s.now()) }}
	if s.opts.Grid != nil {
		in.Cells = s.opts.Grid.Cells()
	}
	data := &mapPageData{pageBase: s.base(w, r, "map", "map.title"), Map: buildMap(in), Shown: len(page.Cases)}
	s.finishMap(&data.pageBase, in, &data.Map, false)
	for _, n := range byCell {
		data.Open += n
	}
	// A case opened between the two queries may be drawn but not yet
	// counted: the page never says fewer are open than it shows.
	data.Open = max(data.Open, data.Shown)
	for _, c := range page.Cases {
		data.Cases = append(data.Cases, pageCase{CaseJSON: s.toCaseJSON(c), PageURL: casePageURL(c.ID)})
	}
	s.render(w, mapTemplate, data)
}
