package web

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"time"
)

// Languages of the pages. Chinese is the default: the officers' language;
// English is for visitors and integrators.
const (
	LangZH = "zh-CN"
	LangEN = "en"
	// LangCookie keeps a chosen language; ?lang= sets it.
	LangCookie = "xiuhua_lang"
)

// messages are every visible string of the pages and their script, one
// table per language; a test holds the tables and the templates to each
// other.
var messages = map[string]map[string]string{LangZH: messagesZH, LangEN: messagesEN}

// langOf picks the language: ?lang= (remembered in a cookie), else the
// cookie, else Chinese. Only known languages are taken, so the value is
// safe to echo.
func langOf(w http.ResponseWriter, r *http.Request) string {
	if q := r.URL.Query().Get("lang"); q != "" {
		if _, ok := messages[q]; ok {
			http.SetCookie(w, &http.Cookie{Name: LangCookie, Value: q, Path: "/", MaxAge: 365 * 24 * 3600,
				SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
			return q
		}
	}
	if c, err := r.Cookie(LangCookie); err == nil {
		if _, ok := messages[c.Value]; ok {
			return c.Value
		}
	}
	return LangZH
}

// tr translates key into lang; a missing key shows as itself, which the
// message test catches.
func tr(lang, key string) string {
	if m, ok := messages[lang][key]; ok {
		return m
	}
	if m, ok := messagesZH[key]; ok {
		return m
	}
	return key
}

// pageBase is what every officer page has: language, the signed-in
// officer, navigation.
type pageBase struct {
	Lang string
	Page string // queue, case, map, stats, login
	// Leaflet: the page loads the map library and script (map.js).
	Leaflet bool
	Title   string
	// User and Role are the signed-in officer; CSRFToken goes back with the
	// sign-out form.
	User, Role, CSRFToken string
	// OtherLang and OtherLangURL switch the language on this page.
	OtherLang, OtherLangURL string
	// loc is the zone the page shows times in (Clock).
	loc *time.Location
}

// T translates key.
func (p *pageBase) T(key string) string { return tr(p.Lang, key) }

// Tf translates key and fills its verbs with args.
func (p *pageBase) Tf(key string, args ...any) string { return fmt.Sprintf(tr(p.Lang, key), args...) }

// HTMLLang is the page's lang attribute.
func (p *pageBase) HTMLLang() string { return p.Lang }

// JSMessages are the strings the page script shows, by key ("js.*").
func (p *pageBase) JSMessages() map[string]string {
	out := map[string]string{}
	for k := range messagesZH {
		if len(k) > 3 && k[:3] == "js." {
			out[k[3:]] = tr(p.Lang, k)
		}
	}
	return out
}

// StatusLabel is a status in the page's language.
func (p *pageBase) StatusLabel(s string) string { return labelOr(p.Lang, "status."+s, s) }

// TypeLabel is a violation type in the page's language.
func (p *pageBase) TypeLabel(t string) string { return labelOr(p.Lang, "type."+t, t) }

// ActionLabel is an audit action in the page's language.
func (p *pageBase) ActionLabel(a string) string { return labelOr(p.Lang, "action."+a, a) }

// RoleLabel is a role in the page's language.
func (p *pageBase) RoleLabel(r string) string { return labelOr(p.Lang, "role."+r, r) }

func labelOr(lang, key, fallback string) string {
	if m, ok := messages[lang][key]; ok {
		return m
	}
	return fallback
}

func (s *server) base(w http.ResponseWriter, r *http.Request, page, titleKey string) pageBase {
	lang := langOf(w, r)
	p := pageBase{Lang: lang, Page: page, loc: s.opts.Location}
	// The map library only where a map is drawn over tiles.
	p.Leaflet = len(s.opts.Basemap) > 0 && (page == "case" || page == "map")
	p.Title = p.T(titleKey)
	other := LangEN
	if lang == LangEN {
		other = LangZH
	}
	q := r.URL.Query()
	q.Set("lang", other)
	p.OtherLang = tr(other, "lang.self")
	p.OtherLangURL = (&url.URL{Path: r.URL.Path, RawQuery: q.Encode()}).String()
	if pr := principalOf(r); pr != nil {
		p.User, p.Role, p.CSRFToken = pr.Name, pr.Role, pr.CSRFToken
	}
	return p
}

// messageKeys lists a table's keys, sorted.
func messageKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
