package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"time"

	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/store"
)

//go:embed assets
var assets embed.FS

// pageTemplate parses one page with the shared layout.
func pageTemplate(name string) *template.Template {
	return template.Must(template.ParseFS(assets, "assets/layout.html", "assets/"+name))
}

var casesTemplate = pageTemplate("cases.html")

// staticNames are the files served under /static/.
var staticNames = map[string]bool{"style.css": true, "app.js": true, "drafts.js": true, "notice.js": true, "map.js": true,
	"leaflet/leaflet.js": true, "leaflet/leaflet.css": true, "leaflet/LICENSE": true,
	"leaflet/images/layers.png": true, "leaflet/images/layers-2x.png": true,
	"leaflet/images/marker-icon.png": true, "leaflet/images/marker-icon-2x.png": true, "leaflet/images/marker-shadow.png": true}

func staticFiles() http.Handler {
	sub, err := fs.Sub(assets, "assets")
	if err != nil {
		panic(err)
	}
	// Embedded files have no modification time: an ETag of their content
	// lets browsers revalidate them cheaply once max-age has passed.
	etags := map[string]string{}
	for name := range staticNames {
		data, err := fs.ReadFile(sub, name)
		if err != nil {
			panic(fmt.Sprintf("static file %s: %v", name, err))
		}
		sum := sha256.Sum256(data)
		etags[name] = `"` + hex.EncodeToString(sum[:8]) + `"`
	}
	h := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !staticNames[r.URL.Path] {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=300")
		w.Header().Set("ETag", etags[r.URL.Path])
		h.ServeHTTP(w, r)
	})
}

type pageCase struct {
	CaseJSON
	PageURL      string
	LastSeenText string
	LastSeenISO  string
	// CanReview: the officer may confirm or reject this case from the
	// queue.
	CanReview bool
	// LateBy is how long past its deadline an overdue case is.
	LateBy string
}

type casesPageData struct {
	pageBase
	Cases   []pageCase
	NextURL string
	Now     string
	// The filters as given, for the form.
	Status, Type, Grid, Unit, Assignee, From, To, Query string
	Types, Statuses                                     []string
	// Tabs are the queue's views (queueviews.go), the current one marked.
	Tabs []queueTab
	// Heading is the view's name (待审核, 超期…), also the page title.
	Heading string
	// FilterSet opens the filters on a phone: the officer set one.
	FilterSet bool
	// Overdue: the 超期 view, most overdue first.
	Overdue bool
	// ReviewKeys: some row can be filed or rejected here, so the keys
	// that do it are worth showing.
	ReviewKeys bool
}

const timeLayout = "2006-01-02 15:04:05"

// pageFilter reads the queue's filters: the API's, except that from and to
// may also be dates (YYYY-MM-DD, in the pages' time zone; to inclusive),
// as a date input sends them.
func (s *server) pageFilter(q url.Values) (store.CaseFilter, error) {
	q2 := url.Values{}
	for k, v := range q {
		q2[k] = v
	}
	for i, name := range []string{"from", "to"} {
		v := q.Get(name)
		d, err := time.ParseInLocation("2006-01-02", v, s.opts.Location)
		if v == "" || err != nil {
			continue
		}
		if i == 1 {
			d = d.AddDate(0, 0, 1)
		}
		q2.Set(name, d.Format(time.RFC3339))
	}
	return caseFilter(q2, pageLimit)
}

func (s *server) casesPage(w http.ResponseWriter, r *http.Request) {
	var role, user, unit string
	if pr := principalOf(r); pr != nil {
		role, user = pr.Role, pr.Name
		if u, ok := s.opts.Cases.FindUnit(pr.Unit); ok && pr.Unit != "" {
			unit = u.Name
		}
	}
	q, view := queueQuery(r.URL.Query(), role, user, unit)
	all := q.Get("status") == statusAll
	if all {
		q.Del("status")
	}
	f, err := s.pageFilter(q)
	// A search looks through every status unless one was chosen: the
	// number read out on the phone may be a closed case's.
	if !all && f.Status == "" && f.Query == "" {
		f.Statuses = openStatuses()
	}
	if err != nil {
		s.errorPage(w, r, http.StatusBadRequest, err.Error())
		return
	}
	f = s.withOverdue(f)
	page, err := s.opts.Store.ListCases(r.Context(), f)
	if errors.Is(err, store.ErrBadCursor) {
		s.errorPage(w, r, http.StatusBadRequest, "cursor: invalid value")
		return
	}
	if err != nil {
		s.log.Error("list cases", "err", err)
		s.errorPage(w, r, http.StatusInternalServerError, "")
		return
	}
	data := &casesPageData{
		pageBase: s.base(w, r, "queue", "queue.title"),

		Status: f.Status, Type: f.ViolationType, Grid: f.GridCode, Unit: f.Unit, Assignee: f.Assignee,
		From: q.Get("from"), To: q.Get("to"), Query: f.Query,
		Types: violationTypes, Statuses: cases.Statuses,
	}
	data.Now = data.Clock(s.now())
	data.Tabs = data.queueTabs(view, unit != "")
	data.Heading = data.T(queueHeading(view))
	data.Title = data.Heading
	data.FilterSet = filterSet(r.URL.Query())
	data.Overdue = f.Overdue != nil
	if all {
		data.Status = statusAll
	}
	fileStep, _ := cases.FindStep(cases.StatusPendingReview, cases.StatusFiled)
	for _, c := range page.Cases {
		cj := s.toCaseJSON(c)
		late := ""
		if cj.Overdue && cj.Deadline != nil {
			late = data.Duration(s.now().Sub(*cj.Deadline))
		}
		data.Cases = append(data.Cases, pageCase{
			LateBy:       late,
			CaseJSON:     cj,
			PageURL:      casePageURL(c.ID),
			LastSeenText: data.Clock(c.LastSeen),
			LastSeenISO:  c.LastSeen.Format(time.RFC3339),
			CanReview:    c.Status == cases.StatusPendingReview && fileStep.MayTake(data.Role),
		})
		data.ReviewKeys = data.ReviewKeys || data.Cases[len(data.Cases)-1].CanReview
	}
	if page.NextCursor != "" {
		nq := url.Values{}
		for k, v := range q {
			nq[k] = v
		}
		nq.Set("cursor", page.NextCursor)
		if all {
			nq.Set("status", statusAll)
		}
		data.NextURL = "/?" + nq.Encode()
	}
	s.render(w, casesTemplate, data)
}

func casePageURL(id string) string { return "/cases/" + url.PathEscape(id) }

// render executes t into a buffer first, so that a template error is a
// clean 500 and not half a page.
func (s *server) render(w http.ResponseWriter, t *template.Template, data any) {
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "page", data); err != nil {
		s.log.Error("render page", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}
