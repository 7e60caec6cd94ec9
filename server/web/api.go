package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/xiuhua/xiuhua/internal/geo"
	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/store"
)

// CaseJSON is a case in the API.
type CaseJSON struct {
	ID string `json:"id"`
	// Number is the readable case number, YYYYMMDD-NNNN: the day the case
	// was opened (web.time_zone) and its place in that day's sequence.
	Number        string        `json:"number"`
	Status        string        `json:"status"`
	ViolationType string        `json:"violation_type"`
	DeviceID      string        `json:"device_id"`
	CameraID      string        `json:"camera_id"`
	ZoneID        string        `json:"zone_id"`
	RuleID        string        `json:"rule_id"`
	FirstSeen     time.Time     `json:"first_seen"`
	LastSeen      time.Time     `json:"last_seen"`
	ReportCount   int           `json:"report_count"`
	CreatedAt     time.Time     `json:"created_at"`
	UpdatedAt     time.Time     `json:"updated_at"`
	Thumbnail     *EvidenceJSON `json:"thumbnail"`
	URL           string        `json:"url"`

	// The workflow: Version goes with a transition request; Deadline is
	// when the current stage is due (absent for final statuses).
	Version     int        `json:"version"`
	StatusSince time.Time  `json:"status_since"`
	Deadline    *time.Time `json:"deadline,omitempty"`
	Overdue     bool       `json:"overdue"`
	// EventCode is the city platform's classification.
	EventCode EventCodeJSON `json:"event_code"`
	// Location is WGS-84; LocationGCJ02 the same point for Chinese web maps.
	Location      *LocationJSON `json:"location"`
	LocationGCJ02 *LocationJSON `json:"location_gcj02"`
	GridCode      string        `json:"grid_code"`
	// Cell is the grid cell's name, community, street and unit; absent
	// when the grid does not know the case's cell.
	Cell *CellJSON `json:"cell,omitempty"`
	// Address is where the case is in words, found when it was opened
	// (address hook or nearest named street); empty when none was found.
	Address string `json:"address"`
	// Unit is the responsible unit: the grid cell's, or the one the case
	// was dispatched to; Assignee the handling officer it was dispatched
	// to (empty: none named).
	Unit     string `json:"unit"`
	Assignee string `json:"assignee"`
}

// AssigneeJSON is who a dispatch sent the case to.
type AssigneeJSON struct {
	Unit    string `json:"unit"`
	Officer string `json:"officer"`
}

// EventCodeJSON is a case's category and sub-category codes and names.
type EventCodeJSON struct {
	Category        string `json:"category"`
	CategoryName    string `json:"category_name"`
	Subcategory     string `json:"subcategory"`
	SubcategoryName string `json:"subcategory_name"`
}

// AuditJSON is one line of a case's history.
type AuditJSON struct {
	At      time.Time `json:"at"`
	Actor   string    `json:"actor"`
	Role    string    `json:"role"`
	Action  string    `json:"action"`
	From    string    `json:"from"`
	To      string    `json:"to"`
	Comment string    `json:"comment"`
	// Attachment is the picture that came with the step, if any.
	Attachment *EvidenceJSON `json:"attachment,omitempty"`
	// Assign is who the step (a dispatch) sent the case to.
	Assign *AssigneeJSON `json:"assign,omitempty"`
}

// EvidenceJSON is an evidence file in the API; URL downloads it.
type EvidenceJSON struct {
	Name        string `json:"name"`
	Kind        string `json:"kind"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	URL         string `json:"url"`
}

// ReportJSON is a report in the API.
type ReportJSON struct {
	EventID           string            `json:"event_id"`
	DeviceID          string            `json:"device_id"`
	CameraID          string            `json:"camera_id"`
	ZoneID            string            `json:"zone_id"`
	RuleID            string            `json:"rule_id"`
	ViolationType     string            `json:"violation_type"`
	ObservedAt        time.Time         `json:"observed_at"`
	StartedAt         *time.Time        `json:"started_at"`
	DwellSeconds      float64           `json:"dwell_seconds"`
	Detections        []store.Detection `json:"detections"`
	Location          *LocationJSON     `json:"location"`
	Model             ModelJSON         `json:"model"`
	FrameWidth        int               `json:"frame_width"`
	FrameHeight       int               `json:"frame_height"`
	SignatureVerified bool              `json:"signature_verified"`
	ReceivedAt        time.Time         `json:"received_at"`
	Evidence          []EvidenceJSON    `json:"evidence"`
	LocationGCJ02     *LocationJSON     `json:"location_gcj02"`
	// Suppressed: a repeat of a rejected violation, kept as a labelled
	// negative.
	Suppressed bool `json:"suppressed"`
	// Warn is what the edge's warn-first flow did before filing: the
	// warnings played and why it filed; null without warn first.
	Warn *store.Warn `json:"warn"`
}

// LocationJSON is a WGS-84 position.
type LocationJSON struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// ModelJSON names one model exactly: the one that made a report's
// detections, or one a device runs or is assigned.
type ModelJSON struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	SHA256  string `json:"sha256"`
}

// CaseListJSON is the answer of GET /api/v1/cases.
type CaseListJSON struct {
	Cases      []CaseJSON `json:"cases"`
	NextCursor string     `json:"next_cursor,omitempty"`
}

// CaseDetailJSON is the answer of GET /api/v1/cases/{id}.
type CaseDetailJSON struct {
	Case    CaseJSON     `json:"case"`
	Reports []ReportJSON `json:"reports"`
	Audit   []AuditJSON  `json:"audit"`
	// Allowed are the statuses the case may move to next.
	Allowed []string `json:"allowed"`
	// StageTimes is when the case last entered each status it has been in.
	StageTimes map[string]time.Time `json:"stage_times"`
}

func evidenceURL(sha string) string { return "/evidence/" + sha }

func toEvidenceJSON(e store.Evidence) EvidenceJSON {
	return EvidenceJSON{Name: e.Name, Kind: e.Kind, ContentType: e.ContentType, Size: e.Size, SHA256: e.SHA256, URL: evidenceURL(e.SHA256)}
}

func gcj02(p *store.GeoPoint) *LocationJSON {
	if p == nil {
		return nil
	}
	g := geo.ToGCJ02(geo.Point{Lat: p.Lat, Lon: p.Lon})
	return &LocationJSON{Lat: g.Lat, Lon: g.Lon}
}

func wgs84(p *store.GeoPoint) *LocationJSON {
	if p == nil {
		return nil
	}
	return &LocationJSON{Lat: p.Lat, Lon: p.Lon}
}

func (s *server) toCaseJSON(c store.Case) CaseJSON {
	out := CaseJSON{
		ID: c.ID, Number: c.Number, Status: c.Status, ViolationType: c.ViolationType, DeviceID: c.DeviceID,
		CameraID: c.CameraID, ZoneID: c.ZoneID, RuleID: c.RuleID,
		FirstSeen: c.FirstSeen, LastSeen: c.LastSeen, ReportCount: c.ReportCount,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
		URL:     "/api/v1/cases/" + url.PathEscape(c.ID),
		Version: c.Version, StatusSince: c.StatusSince,
		EventCode: EventCodeJSON{Category: c.CategoryCode, Subcategory: c.SubcategoryCode},
		Location:  wgs84(c.Location), LocationGCJ02: gcj02(c.Location),
		GridCode: c.GridCode, Unit: c.Unit, Assignee: c.Assignee, Cell: s.cellOf(c), Address: c.Address,
	}
	if code, ok := s.opts.Cases.EventCode(c.ViolationType); ok && code.Subcategory == c.SubcategoryCode {
		out.EventCode.CategoryName, out.EventCode.SubcategoryName = code.CategoryName, code.SubcategoryName
	}
	if due, ok := s.opts.Cases.Deadline(c); ok {
		out.Deadline = &due
		out.Overdue = s.now().After(due)
	}
	if c.Thumbnail != nil {
		t := toEvidenceJSON(*c.Thumbnail)
		out.Thumbnail = &t
	}
	return out
}

func toReportJSON(r store.Report) ReportJSON {
	out := ReportJSON{
		EventID: r.EventID, DeviceID: r.DeviceID, CameraID: r.CameraID, ZoneID: r.ZoneID, RuleID: r.RuleID,
		ViolationType: r.ViolationType, ObservedAt: r.ObservedAt, DwellSeconds: r.DwellSeconds,
		Detections:        r.Detections,
		Model:             refJSON(r.Model),
		FrameWidth:        r.FrameWidth,
		FrameHeight:       r.FrameHeight,
		SignatureVerified: r.SignatureVerified,
		ReceivedAt:        r.ReceivedAt,
		Evidence:          []EvidenceJSON{},
		LocationGCJ02:     gcj02(r.Location),
		Suppressed:        r.Suppressed,
		Warn:              r.Warn,
	}
	if out.Detections == nil {
		out.Detections = []store.Detection{}
	}
	if !r.StartedAt.IsZero() {
		t := r.StartedAt
		out.StartedAt = &t
	}
	if r.Location != nil {
		out.Location = &LocationJSON{Lat: r.Location.Lat, Lon: r.Location.Lon}
	}
	for _, e := range r.Evidence {
		out.Evidence = append(out.Evidence, toEvidenceJSON(e))
	}
	return out
}

// caseFilter reads ?status=, ?type=, ?grid=, ?unit=, ?assignee=, ?from=,
// ?to=, ?limit= and ?cursor=. Text filters are compared as values (bound SQL
// parameters), never spliced into a query.
// maxQuery bounds a search's text: a case id is 26 characters.
const maxQuery = 64

func caseFilter(q url.Values, defaultLimit int) (store.CaseFilter, error) {
	f := store.CaseFilter{Status: q.Get("status"), Cursor: q.Get("cursor"), Limit: defaultLimit,
		ViolationType: q.Get("type"), GridCode: q.Get("grid"), Unit: q.Get("unit"), Assignee: q.Get("assignee"),
		Query: strings.TrimSpace(q.Get("q"))}
	if len(f.Query) > maxQuery {
		return f, fmt.Errorf("q: invalid value: %d characters: allowed: a case number, day or id of at most %d", len(f.Query), maxQuery)
	}
	if f.Status != "" && !cases.KnownStatus(f.Status) {
		return f, fmt.Errorf("status: invalid value %q: allowed: %s", f.Status, strings.Join(cases.Statuses, ", "))
	}
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if v := q.Get(p.name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return f, fmt.Errorf("%s: invalid value %q: allowed: an RFC 3339 time such as 2025-06-01T08:00:00+08:00", p.name, v)
			}
			*p.dst = t
		}
	}
	switch v := q.Get("overdue"); v {
	case "", "false":
	case "true":
		// The server fills in the clock and the deadlines (withOverdue).
		f.Overdue = &store.OverdueFilter{}
	default:
		return f, fmt.Errorf("overdue: invalid value %q: allowed: true, false", v)
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return f, fmt.Errorf("limit: invalid value %q: allowed: 1 to %d", v, MaxLimit)
		}
		f.Limit = min(n, MaxLimit)
	}
	return f, nil
}

// withOverdue completes an overdue filter: past the deadlines now.
func (s *server) withOverdue(f store.CaseFilter) store.CaseFilter {
	if f.Overdue != nil {
		f.Overdue = &store.OverdueFilter{At: s.now(), Deadlines: s.opts.Cases.Deadlines()}
	}
	return f
}

func (s *server) listCases(w http.ResponseWriter, r *http.Request) {
	f, err := caseFilter(r.URL.Query(), DefaultLimit)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	f = s.withOverdue(f)
	page, err := s.opts.Store.ListCases(r.Context(), f)
	if errors.Is(err, store.ErrBadCursor) {
		writeError(w, http.StatusBadRequest, "cursor: invalid value: use the next_cursor of a previous answer")
		return
	}
	if err != nil {
		s.log.Error("list cases", "err", err)
		writeError(w, http.StatusInternalServerError, "internal error")
		return
	}
	out := CaseListJSON{Cases: make([]CaseJSON, 0, len(page.Cases)), NextCursor: page.NextCursor}
	for _, c := range page.Cases {
		out.Cases = append(out.Cases, s.toCaseJSON(c))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *server) getCase(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	d, err := s.opts.Store.GetCase(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("case %q not found", id))
		return
	}
	if err != nil {
		s.log.Error("get case", "case_id", id, "err", err)
		writeError(w, http.StatusInternalServerError, "internal error")
		return
	}
	writeJSON(w, http.StatusOK, s.toDetailJSON(d))
}

func (s *server) toDetailJSON(d *store.CaseDetail) CaseDetailJSON {
	out := CaseDetailJSON{Case: s.toCaseJSON(d.Case), Reports: make([]ReportJSON, 0, len(d.Reports)),
		Audit: make([]AuditJSON, 0, len(d.Audit)), Allowed: cases.Allowed(d.Status), StageTimes: map[string]time.Time{}}
	for _, rep := range d.Reports {
		out.Reports = append(out.Reports, toReportJSON(rep))
	}
	for _, a := range d.Audit {
		aj := AuditJSON{At: a.At, Actor: a.Actor, Role: a.Role, Action: a.Action, From: a.From, To: a.To, Comment: a.Comment}
		if a.Attachment != nil {
			e := toEvidenceJSON(*a.Attachment)
			aj.Attachment = &e
		}
		if a.Assign != nil {
			aj.Assign = &AssigneeJSON{Unit: a.Assign.Unit, Officer: a.Assign.Officer}
		}
		out.Audit = append(out.Audit, aj)
	}
	for st, a := range cases.StageTimes(d) {
		out.StageTimes[st] = a.At
	}
	return out
}
