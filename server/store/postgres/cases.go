package postgres

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/xiuhua/xiuhua/server/store"
	"github.com/xiuhua/xiuhua/server/store/caseid"
)

// caseColumns selects a case and its thumbnail: of all the snapshot and
// annotated files of its reports, an annotated one first, the newest report
// first.
const caseColumns = `c.id, c.status, c.violation_type, c.device_id, c.camera_id, c.zone_id, c.rule_id,
	c.first_seen, c.last_seen, c.report_count, c.created_at, c.updated_at,
	c.version, c.status_since, c.category_code, c.subcategory_code,
	c.lat, c.lon, c.grid_code, c.unit, c.assignee,
	t.name, t.kind, t.content_type, t.size, t.sha256
	FROM cases c
	LEFT JOIN evidence t ON t.id = (
		SELECT e.id FROM evidence e JOIN reports r ON r.id = e.report_id
		WHERE r.case_id = c.id AND e.kind IN ('annotated', 'snapshot')
		ORDER BY e.kind = 'annotated' DESC, r.id DESC, e.id
		LIMIT 1)`

func scanCase(row pgx.Row) (store.Case, error) {
	var (
		c                         store.Case
		tName, tKind, tType, tSHA *string
		tSize                     *int64
		lat, lon                  *float64
	)
	if err := row.Scan(&c.ID, &c.Status, &c.ViolationType, &c.DeviceID, &c.CameraID, &c.ZoneID, &c.RuleID,
		&c.FirstSeen, &c.LastSeen, &c.ReportCount, &c.CreatedAt, &c.UpdatedAt,
		&c.Version, &c.StatusSince, &c.CategoryCode, &c.SubcategoryCode,
		&lat, &lon, &c.GridCode, &c.Unit, &c.Assignee,
		&tName, &tKind, &tType, &tSize, &tSHA); err != nil {
		return c, err
	}
	for _, t := range []*time.Time{&c.FirstSeen, &c.LastSeen, &c.CreatedAt, &c.UpdatedAt, &c.StatusSince} {
		*t = utc(*t)
	}
	if lat != nil && lon != nil {
		c.Location = &store.GeoPoint{Lat: *lat, Lon: *lon}
	}
	if tSHA != nil {
		c.Thumbnail = &store.Evidence{Name: *tName, Kind: *tKind, ContentType: *tType, Size: *tSize, SHA256: *tSHA}
	}
	return c, nil
}

// ListCases implements store.Store. Cursors are the last id of the previous
// page; ids grow with time, so "newest first" is "id descending".
func (s *Store) ListCases(ctx context.Context, f store.CaseFilter) (store.CasePage, error) {
	limit := min(max(f.Limit, 1), store.MaxLimit)
	after := ""
	if f.Cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(f.Cursor)
		if err != nil || len(b) == 0 || !caseid.Valid(string(b)) {
			return store.CasePage{}, store.ErrBadCursor
		}
		after = string(b)
	}
	where, args := filterWhere(f, nil)
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if after != "" {
		where = append(where, "c.id < "+arg(after))
	}
	q := "SELECT " + caseColumns
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY c.id DESC LIMIT " + arg(limit+1)

	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return store.CasePage{}, fmt.Errorf("postgres: list cases: %w", err)
	}
	defer rows.Close()
	var page store.CasePage
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return store.CasePage{}, fmt.Errorf("postgres: list cases: %w", err)
		}
		page.Cases = append(page.Cases, c)
	}
	if err := rows.Err(); err != nil {
		return store.CasePage{}, fmt.Errorf("postgres: list cases: %w", err)
	}
	if len(page.Cases) > limit {
		page.Cases = page.Cases[:limit]
		page.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(page.Cases[limit-1].ID))
	}
	return page, nil
}

// GetCase implements store.Store. One REPEATABLE READ transaction, so that
// the case, its reports and its trail are one moment's view.
func (s *Store) GetCase(ctx context.Context, id string) (*store.CaseDetail, error) {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("postgres: get case: %w", err)
	}
	defer tx.Rollback(ctx)

	c, err := scanCase(tx.QueryRow(ctx, "SELECT "+caseColumns+" WHERE c.id = $1", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: get case %s: %w", id, err)
	}
	d := &store.CaseDetail{Case: c}

	rows, err := tx.Query(ctx, `SELECT id, event_id, case_id, device_id, camera_id, zone_id, rule_id, violation_type,
		observed_at, started_at, dwell_seconds, detections, lat, lon,
		model_name, model_version, model_sha256, frame_width, frame_height,
		signature, signed, signature_verified, received_at, suppressed
		FROM reports WHERE case_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("postgres: get case %s: %w", id, err)
	}
	defer rows.Close()
	index := map[int64]int{}
	for rows.Next() {
		var (
			r          store.Report
			rowID      int64
			started    *time.Time
			detections string
			lat, lon   *float64
		)
		if err := rows.Scan(&rowID, &r.EventID, &r.CaseID, &r.DeviceID, &r.CameraID, &r.ZoneID, &r.RuleID, &r.ViolationType,
			&r.ObservedAt, &started, &r.DwellSeconds, &detections, &lat, &lon,
			&r.Model.Name, &r.Model.Version, &r.Model.SHA256, &r.FrameWidth, &r.FrameHeight,
			&r.Signature, &r.Signed, &r.SignatureVerified, &r.ReceivedAt, &r.Suppressed); err != nil {
			return nil, fmt.Errorf("postgres: get case %s: %w", id, err)
		}
		r.ObservedAt, r.ReceivedAt = utc(r.ObservedAt), utc(r.ReceivedAt)
		if started != nil {
			r.StartedAt = utc(*started)
		}
		if err := json.Unmarshal([]byte(detections), &r.Detections); err != nil {
			return nil, fmt.Errorf("postgres: report %q: detections: %w", r.EventID, err)
		}
		if lat != nil && lon != nil {
			r.Location = &store.GeoPoint{Lat: *lat, Lon: *lon}
		}
		index[rowID] = len(d.Reports)
		d.Reports = append(d.Reports, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: get case %s: %w", id, err)
	}
	rows.Close()

	rows, err = tx.Query(ctx, `SELECT e.report_id, e.name, e.kind, e.content_type, e.size, e.sha256
		FROM evidence e JOIN reports r ON r.id = e.report_id
		WHERE r.case_id = $1 ORDER BY e.report_id, e.id`, id)
	if err != nil {
		return nil, fmt.Errorf("postgres: get case %s evidence: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			reportID int64
			e        store.Evidence
		)
		if err := rows.Scan(&reportID, &e.Name, &e.Kind, &e.ContentType, &e.Size, &e.SHA256); err != nil {
			return nil, fmt.Errorf("postgres: get case %s evidence: %w", id, err)
		}
		i, ok := index[reportID]
		if !ok {
			return nil, fmt.Errorf("postgres: evidence of unknown report %d", reportID)
		}
		d.Reports[i].Evidence = append(d.Reports[i].Evidence, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: get case %s evidence: %w", id, err)
	}
	rows.Close()
	if d.Audit, err = audit(ctx, tx, id); err != nil {
		return nil, err
	}
	return d, nil
}

// GetEvidence implements store.Store.
func (s *Store) GetEvidence(ctx context.Context, sha256 string) (*store.Evidence, error) {
	var e store.Evidence
	err := s.pool.QueryRow(ctx, `(SELECT name, kind, content_type, size, sha256 FROM evidence
		WHERE sha256 = $1 ORDER BY id LIMIT 1)
		UNION ALL (SELECT attachment_sha256, 'attachment', attachment_type, attachment_size, attachment_sha256 FROM case_audit
		WHERE attachment_sha256 = $1 ORDER BY id LIMIT 1)
		LIMIT 1`, sha256).Scan(&e.Name, &e.Kind, &e.ContentType, &e.Size, &e.SHA256)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: get evidence %s: %w", sha256, err)
	}
	return &e, nil
}
