package web

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"time"

	"github.com/xiuhua/xiuhua/server/store"
	"github.com/xiuhua/xiuhua/server/store/casenum"
)

var caseTemplate = pageTemplate("case.html")

// RecheckActor is the audit actor of the AI re-check's steps; the case
// page marks them.
const RecheckActor = "ai-recheck"

type casePageData struct {
	pageBase
	Case         CaseJSON
	DeadlineText string
	Since        string
	// Evidence of the newest reports, one of each kind.
	Annotated, Raw, Clip, BeforeAfter *EvidenceJSON
	// AfterGrace is warn first's second picture (still there after the
	// warning's grace period), shown beside the annotated one.
	AfterGrace *EvidenceJSON
	// Poster is the clip's still before it plays (phones show nothing
	// until then): the annotated picture, else the snapshot.
	Poster  *EvidenceJSON
	Extra   []EvidenceJSON
	Latest  *reportView
	Reports []reportView
	MiniMap *mapView
	Actions []actionView
	Audit   []auditView
	// The dispatch form's lists (dispatchform.go).
	Dispatch dispatchForm
}

type reportView struct {
	EventID     string
	Observed    string
	Dwell       string
	Best, Mean  string
	Model       ModelJSON
	ModelShort  string
	Verified    bool
	Suppressed  bool
	Detections  int
	Evidence    []EvidenceJSON
	Location    *LocationJSON
	FrameWidth  int
	FrameHeight int
}

// actionView is one step the signed-in officer may take now.
type actionView struct {
	To, Action string
	// Form is how the step is asked for: plain (one button), comment (a
	// reason is required), dispatch (unit or officer), report (feedback
	// with a photo).
	Form string
	// MaxBytes is the server's limit on the step's photo (report forms),
	// for the page to refuse a larger one before sending it.
	MaxBytes int64
}

type auditView struct {
	At          string
	Actor, Role string
	Action      string
	From, To    string
	Comment     string
	// RawComment is the AI re-check's own (English) words behind Comment.
	RawComment         string
	Attachment         *EvidenceJSON
	Assign             *AssigneeJSON
	AIRecheck          bool
	FromLabel, ToLabel string
}

func (s *server) casePage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if n, ok := casenum.Parse(id); ok {
		s.caseByNumber(w, r, n)
		return
	}
	d, err := s.opts.Store.GetCase(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		s.errorPage(w, r, http.StatusNotFound, fmt.Sprintf("case %q not found", id))
		return
	}
	if err != nil {
		s.log.Error("get case", "case_id", id, "err", err)
		s.errorPage(w, r, http.StatusInternalServerError, "")
		return
	}
	data := &casePageData{pageBase: s.base(w, r, "case", "case.title"), Case: s.toCaseJSON(d.Case)}
	data.Title = data.T("case.title") + " " + d.Number
	if data.Case.Deadline != nil {
		data.DeadlineText = data.Clock(*data.Case.Deadline)
	}
	data.Since = data.Clock(d.StatusSince)

	// Newest report first; each kind from the newest report that has it.
	for i := len(d.Reports) - 1; i >= 0; i-- {
		rep := d.Reports[i]
		rv := s.reportView(&data.pageBase, rep)
		data.Reports = append(data.Reports, rv)
		if data.Latest == nil {
			data.Latest = &data.Reports[len(data.Reports)-1]
		}
		for _, e := range rv.Evidence {
			e := e
			switch {
			case e.Kind == store.KindAnnotated && e.Name != "best.jpg" && data.Annotated == nil:
				data.Annotated = &e
			case e.Kind == store.KindSnapshot && data.Raw == nil:
				data.Raw = &e
			case e.Kind == store.KindClip && data.Clip == nil:
				data.Clip = &e
			case e.Kind == store.KindBeforeAfter && data.BeforeAfter == nil:
				data.BeforeAfter = &e
			case e.Kind == store.KindAfterGrace && data.AfterGrace == nil:
				data.AfterGrace = &e
			case i == len(d.Reports)-1 && isPicture(e.ContentType):
				data.Extra = append(data.Extra, e)
			}
		}
	}
	data.Poster = cmp.Or(data.Annotated, data.Raw)
	if d.Location != nil {
		mv := s.caseMap(&data.pageBase, d.Case, 260)
		data.MiniMap = &mv
	}
	if data.Actions, data.Dispatch, err = s.caseActions(r.Context(), &d.Case, data.User, data.Role); err != nil {
		s.log.Error("case page: actions", "case_id", id, "err", err)
		s.errorPage(w, r, http.StatusInternalServerError, "")
		return
	}
	for _, a := range d.Audit {
		av := auditView{At: data.Clock(a.At), Actor: a.Actor, Role: a.Role, Action: a.Action,
			From: a.From, To: a.To, Comment: a.Comment, AIRecheck: a.Actor == RecheckActor,
			FromLabel: data.StatusLabel(a.From), ToLabel: data.StatusLabel(a.To)}
		if av.AIRecheck {
			av.Comment, av.RawComment = data.recheckNote(a.Comment)
		}
		if a.Attachment != nil {
			e := toEvidenceJSON(*a.Attachment)
			av.Attachment = &e
		}
		if a.Assign != nil {
			av.Assign = &AssigneeJSON{Unit: a.Assign.Unit, Officer: a.Assign.Officer}
		}
		data.Audit = append(data.Audit, av)
	}
	s.render(w, caseTemplate, data)
}

func isPicture(ct string) bool {
	return ct == "image/jpeg" || ct == "image/png" || ct == "image/webp"
}

func (s *server) reportView(p *pageBase, r store.Report) reportView {
	rv := reportView{EventID: r.EventID, Observed: p.Clock(r.ObservedAt),
		Dwell: p.Duration(time.Duration(r.DwellSeconds * float64(time.Second))), Verified: r.SignatureVerified,
		Suppressed: r.Suppressed, Detections: len(r.Detections), FrameWidth: r.FrameWidth, FrameHeight: r.FrameHeight,
		Model: refJSON(r.Model), Best: "–", Mean: "–"}
	if len(r.Model.SHA256) > 12 {
		rv.ModelShort = r.Model.SHA256[:12]
	} else {
		rv.ModelShort = r.Model.SHA256
	}
	if n := len(r.Detections); n > 0 {
		var best, sum float32
		for _, d := range r.Detections {
			best = max(best, d.Score)
			sum += d.Score
		}
		rv.Best, rv.Mean = fmt.Sprintf("%.2f", best), fmt.Sprintf("%.2f", sum/float32(n))
	}
	if r.Location != nil {
		rv.Location = &LocationJSON{Lat: r.Location.Lat, Lon: r.Location.Lon}
	}
	for _, e := range r.Evidence {
		rv.Evidence = append(rv.Evidence, toEvidenceJSON(e))
	}
	return rv
}

// units are the responsible units a case may be dispatched to: its own
// first, then every unit of the grid.
func (s *server) units(own string) []string {
	set := map[string]bool{}
	if s.opts.Grid != nil {
		for _, c := range s.opts.Grid.Cells() {
			if c.Unit != "" {
				set[c.Unit] = true
			}
		}
	}
	delete(set, own)
	out := make([]string, 0, len(set)+1)
	for u := range set {
		out = append(out, u)
	}
	sort.Strings(out)
	if own != "" {
		out = slices.Insert(out, 0, own)
	}
	return out
}

// caseByNumber sends /cases/20261206-0001 (what an officer types after a
// phone call) to the case's page: one lookup on the number's unique index.
func (s *server) caseByNumber(w http.ResponseWriter, r *http.Request, number string) {
	page, err := s.opts.Store.ListCases(r.Context(), store.CaseFilter{Query: number, Limit: 1, NoThumbnails: true})
	if err != nil {
		s.log.Error("case by number", "number", number, "err", err)
		s.errorPage(w, r, http.StatusInternalServerError, "")
		return
	}
	if len(page.Cases) == 0 {
		s.errorPage(w, r, http.StatusNotFound, fmt.Sprintf("case %q not found", number))
		return
	}
	http.Redirect(w, r, casePageURL(page.Cases[0].ID), http.StatusSeeOther)
}
