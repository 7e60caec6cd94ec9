package web

import (
	"bytes"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"time"

	"github.com/xiuhua/xiuhua/server/auth"
	"github.com/xiuhua/xiuhua/server/store"
)

//go:embed assets
var assets embed.FS

var casesTemplate = template.Must(template.ParseFS(assets, "assets/cases.html"))

func staticFiles() http.Handler {
	sub, err := fs.Sub(assets, "assets")
	if err != nil {
		panic(err)
	}
	h := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "style.css" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=300")
		h.ServeHTTP(w, r)
	})
}

type pageCase struct {
	CaseJSON
	TypeLabel    string
	StatusLabel  string
	LastSeenText string
	LastSeenISO  string
}

type casesPageData struct {
	Cases       []pageCase
	Status      string
	StatusLabel string
	NextURL     string
	Now         string
	// The signed-in officer, and the token the sign-out form sends back.
	User, Role, CSRFToken string
}

const timeLayout = "2006-01-02 15:04:05"

func (s *server) casesPage(w http.ResponseWriter, r *http.Request) {
	f, err := caseFilter(r.URL.Query(), pageLimit)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	page, err := s.opts.Store.ListCases(r.Context(), f)
	if errors.Is(err, store.ErrBadCursor) {
		http.Error(w, "cursor: invalid value", http.StatusBadRequest)
		return
	}
	if err != nil {
		s.log.Error("list cases", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	loc := s.opts.Location
	data := casesPageData{
		Status:      f.Status,
		StatusLabel: statusLabel(f.Status),
		Now:         time.Now().In(loc).Format(timeLayout),
	}
	if p := auth.PrincipalFrom(r.Context()); p != nil {
		data.User, data.Role, data.CSRFToken = p.Name, p.Role, p.CSRFToken
	}
	for _, c := range page.Cases {
		data.Cases = append(data.Cases, pageCase{
			CaseJSON:     s.toCaseJSON(c),
			TypeLabel:    violationLabel(c.ViolationType),
			StatusLabel:  statusLabel(c.Status),
			LastSeenText: c.LastSeen.In(loc).Format(timeLayout),
			LastSeenISO:  c.LastSeen.Format(time.RFC3339),
		})
	}
	if page.NextCursor != "" {
		q := url.Values{"cursor": {page.NextCursor}}
		if f.Status != "" {
			q.Set("status", f.Status)
		}
		data.NextURL = "/?" + q.Encode()
	}
	var buf bytes.Buffer
	if err := casesTemplate.Execute(&buf, data); err != nil {
		s.log.Error("render cases page", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}
