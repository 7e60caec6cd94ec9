package sqlstore

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/xiuhua/xiuhua/server/store"
	"github.com/xiuhua/xiuhua/server/store/caseid"
	"github.com/xiuhua/xiuhua/server/store/casenum"
)

// caseFields are a case's own columns.
const caseFields = `c.id, c.status, c.violation_type, c.device_id, c.camera_id, c.zone_id, c.rule_id,
	c.first_seen, c.last_seen, c.report_count, c.created_at, c.updated_at,
	c.version, c.status_since, c.category_code, c.subcategory_code,
	c.lat, c.lon, c.grid_code, c.unit, c.assignee, c.address, c.number`

// caseColumnsNoThumbnail selects a case without its thumbnail, in
// caseColumns' shape.
const caseColumnsNoThumbnail = caseFields + `,
	CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS BIGINT), CAST(NULL AS TEXT)
	FROM cases c`

// caseColumns selects a case and its thumbnail: of all the snapshot and
// annotated files of its reports, an annotated one first, the newest report
// first.
const caseColumns = caseFields + `,
	t.name, t.kind, t.content_type, t.size, t.sha256
	FROM cases c
	LEFT JOIN evidence t ON t.id = (
		SELECT e.id FROM evidence e JOIN reports r ON r.id = e.report_id
		WHERE r.case_id = c.id AND e.kind IN ('annotated', 'snapshot')
		ORDER BY e.kind = 'annotated' DESC, r.id DESC, e.id
		LIMIT 1)`

func scanCase(row Row) (store.Case, error) {
	var (
		c                         store.Case
		tName, tKind, tType, tSHA *string
		tSize                     *int64
		lat, lon                  *float64
	)
	if err := row.Scan(&c.ID, &c.Status, &c.ViolationType, &c.DeviceID, &c.CameraID, &c.ZoneID, &c.RuleID,
		&c.FirstSeen, &c.LastSeen, &c.ReportCount, &c.CreatedAt, &c.UpdatedAt,
		&c.Version, &c.StatusSince, &c.CategoryCode, &c.SubcategoryCode,
		&lat, &lon, &c.GridCode, &c.Unit, &c.Assignee, &c.Address, &c.Number,
		&tName, &tKind, &tType, &tSize, &tSHA); err != nil {
		return c, err
	}
	c.Location = geoPoint(lat, lon)
	if tSHA != nil {
		c.Thumbnail = &store.Evidence{Name: *tName, Kind: *tKind, ContentType: *tType, Size: *tSize, SHA256: *tSHA}
	}
	return c, nil
}

func geoPoint(lat, lon *float64) *store.GeoPoint {
	if lat == nil || lon == nil {
		return nil
	}
	return &store.GeoPoint{Lat: *lat, Lon: *lon}
}

// params numbers a statement's parameters as they are added.
type params []any

// add appends v and returns its placeholder.
func (p *params) add(v any) string {
	*p = append(*p, v)
	return "$" + strconv.Itoa(len(*p))
}

// filterWhere turns a case filter's bounds into WHERE terms on cases c.
func filterWhere(f store.CaseFilter, p *params) []string {
	var where []string
	for _, t := range []struct {
		col, v string
	}{{"c.status", f.Status}, {"c.violation_type", f.ViolationType}, {"c.grid_code", f.GridCode}, {"c.unit", f.Unit}, {"c.assignee", f.Assignee}} {
		if t.v != "" {
			where = append(where, t.col+" = "+p.add(t.v))
		}
	}
	if f.Query != "" {
		where = append(where, queryWhere(f.Query, p))
	}
	if len(f.Statuses) > 0 {
		in := make([]string, len(f.Statuses))
		for i, st := range f.Statuses {
			in[i] = p.add(st)
		}
		where = append(where, "c.status IN ("+strings.Join(in, ", ")+")")
	}
	// Ids sort by creation time (OpenCase keeps an id's time and
	// created_at alike): bounding them as well changes no answer, but lets
	// the database walk the primary key from the end of the range rather
	// than from the newest case down (docs/scale.md).
	if !f.From.IsZero() {
		where = append(where, "c.created_at >= "+p.add(f.From), "c.id >= "+p.add(caseid.Floor(f.From)))
	}
	if !f.To.IsZero() {
		where = append(where, "c.created_at < "+p.add(f.To), "c.id < "+p.add(caseid.Floor(f.To.Add(time.Millisecond))))
	}
	return where
}

// queryWhere is the WHERE term of a search: the case with that number or
// id (both unique indexes), or the cases of a number's day.
func queryWhere(q string, p *params) string {
	if n, ok := casenum.Parse(q); ok {
		return "c.number = " + p.add(n)
	}
	if casenum.IsDay(q) {
		return "substr(c.number, 1, 9) = " + p.add(q+"-")
	}
	return "c.id = " + p.add(q)
}

// ListCases implements store.Store. Cursors are the last id of the previous
// page; ids grow with time, so "newest first" is "id descending".
func (s *Store) ListCases(ctx context.Context, f store.CaseFilter) (store.CasePage, error) {
	limit := min(max(f.Limit, 1), store.MaxLimit)
	var p params
	where := filterWhere(f, &p)
	if f.Overdue != nil {
		return s.listOverdue(ctx, f, where, p, limit)
	}
	if f.Cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(f.Cursor)
		if err != nil || len(b) == 0 || !caseid.Valid(string(b)) {
			return store.CasePage{}, store.ErrBadCursor
		}
		where = append(where, "c.id < "+p.add(string(b)))
	}
	q := "SELECT " + caseColumns
	if f.NoThumbnails {
		q = "SELECT " + caseColumnsNoThumbnail
	}
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY c.id DESC LIMIT " + p.add(limit+1)
	cases, err := queryAll(ctx, s.db, scanCase, q, p...)
	if err != nil {
		return store.CasePage{}, s.errorf("list cases: %w", err)
	}
	page := store.CasePage{Cases: cases}
	if len(page.Cases) > limit {
		page.Cases = page.Cases[:limit]
		page.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(page.Cases[limit-1].ID))
	}
	return page, nil
}

// CasesChangedSince implements store.Live. SQLite's times are fixed-width
// UTC text, so comparing them as text compares them as times.
func (s *Store) CasesChangedSince(ctx context.Context, since time.Time, limit int) ([]store.Case, error) {
	limit = min(max(limit, 1), store.MaxLimit)
	out, err := queryAll(ctx, s.db, scanCase, "SELECT "+caseColumns+
		" WHERE c.updated_at >= $1 ORDER BY c.updated_at, c.id LIMIT $2", since, limit)
	if err != nil {
		return nil, s.errorf("cases changed since %s: %w", since.Format(time.RFC3339), err)
	}
	return out, nil
}

// GetCase implements store.Store. One read transaction, so that the case,
// its reports and its trail are one moment's view.
func (s *Store) GetCase(ctx context.Context, id string) (*store.CaseDetail, error) {
	var d *store.CaseDetail
	err := s.db.InReadTx(ctx, func(tx Querier) error {
		c, err := scanCase(tx.QueryRow(ctx, "SELECT "+caseColumns+" WHERE c.id = $1", id))
		if err != nil {
			return err
		}
		d = &store.CaseDetail{Case: c}
		if d.Reports, err = caseReports(ctx, tx, id); err != nil {
			return err
		}
		d.Audit, err = audit(ctx, tx, id)
		return err
	})
	if errors.Is(err, ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, s.errorf("get case %s: %w", id, err)
	}
	return d, nil
}

// caseReports reads a case's reports with their evidence, oldest first.
func caseReports(ctx context.Context, tx Querier, caseID string) ([]store.Report, error) {
	var ids []int64
	reports, err := queryAll(ctx, tx, func(row Row) (store.Report, error) {
		var (
			r          store.Report
			rowID      int64
			started    *time.Time
			detections string
			lat, lon   *float64
			warn       *string
		)
		if err := row.Scan(&rowID, &r.EventID, &r.CaseID, &r.DeviceID, &r.CameraID, &r.ZoneID, &r.RuleID, &r.ViolationType,
			&r.ObservedAt, &started, &r.DwellSeconds, &detections, &lat, &lon,
			&r.Model.Name, &r.Model.Version, &r.Model.SHA256, &r.FrameWidth, &r.FrameHeight,
			&r.Signature, &r.Signed, &r.SignatureVerified, &r.ReceivedAt, &r.Suppressed, &warn); err != nil {
			return r, err
		}
		var err error
		if r.Warn, err = parseWarn(warn); err != nil {
			return r, fmt.Errorf("report %q: %w", r.EventID, err)
		}
		if started != nil {
			r.StartedAt = *started
		}
		if err := json.Unmarshal([]byte(detections), &r.Detections); err != nil {
			return r, fmt.Errorf("report %q: detections: %w", r.EventID, err)
		}
		r.Location = geoPoint(lat, lon)
		ids = append(ids, rowID)
		return r, nil
	}, `SELECT id, event_id, case_id, device_id, camera_id, zone_id, rule_id, violation_type,
		observed_at, started_at, dwell_seconds, detections, lat, lon,
		model_name, model_version, model_sha256, frame_width, frame_height,
		signature, signed, signature_verified, received_at, suppressed, warn
		FROM reports WHERE case_id = $1 ORDER BY id`, caseID)
	if err != nil {
		return nil, err
	}
	index := make(map[int64]int, len(ids))
	for i, id := range ids {
		index[id] = i
	}
	rows, err := tx.Query(ctx, `SELECT e.report_id, e.name, e.kind, e.content_type, e.size, e.sha256
		FROM evidence e JOIN reports r ON r.id = e.report_id
		WHERE r.case_id = $1 ORDER BY e.report_id, e.id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("evidence: %w", err)
	}
	if err := attachEvidence(rows, index, true, func(i int, e store.Evidence) {
		reports[i].Evidence = append(reports[i].Evidence, e)
	}); err != nil {
		return nil, fmt.Errorf("evidence: %w", err)
	}
	return reports, nil
}

// attachEvidence reads rows of (report id, evidence columns) and hands each
// to add with its report's place in index. strict makes evidence of a
// report not in index an error; otherwise it is skipped.
func attachEvidence(rows Rows, index map[int64]int, strict bool, add func(i int, e store.Evidence)) error {
	defer rows.Close()
	for rows.Next() {
		var (
			reportID int64
			e        store.Evidence
		)
		if err := rows.Scan(&reportID, &e.Name, &e.Kind, &e.ContentType, &e.Size, &e.SHA256); err != nil {
			return err
		}
		i, ok := index[reportID]
		if !ok {
			if strict {
				return fmt.Errorf("evidence of unknown report %d", reportID)
			}
			continue
		}
		add(i, e)
	}
	return rows.Err()
}

// GetEvidence implements store.Store.
func (s *Store) GetEvidence(ctx context.Context, sha256 string) (*store.Evidence, error) {
	var e store.Evidence
	err := s.db.QueryRow(ctx, `SELECT * FROM (
		SELECT name, kind, content_type, size, sha256, purged_at IS NOT NULL FROM evidence WHERE sha256 = $1
		ORDER BY purged_at IS NOT NULL, id LIMIT 1) f
		UNION ALL SELECT * FROM (
		SELECT attachment_sha256, 'attachment', attachment_type, attachment_size, attachment_sha256, false FROM case_audit
		WHERE attachment_sha256 = $1 ORDER BY id LIMIT 1) a
		ORDER BY 6 LIMIT 1`, sha256).Scan(&e.Name, &e.Kind, &e.ContentType, &e.Size, &e.SHA256, &e.Purged)
	if errors.Is(err, ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, s.errorf("get evidence %s: %w", sha256, err)
	}
	return &e, nil
}
