package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/xiuhua/xiuhua/server/store"
	"github.com/xiuhua/xiuhua/server/store/casenum"
	"github.com/xiuhua/xiuhua/server/store/sqlstore"
)

// SaveReport implements store.Store.
func (s *Store) SaveReport(ctx context.Context, r *store.Report, assign store.Assigner) (string, bool, error) {
	caseID, dup, err := s.saveReport(ctx, r, assign)
	if err != nil && isUniqueViolation(err) {
		// Another transaction stored the same event id between our check
		// and our insert (possible on databases without IMMEDIATE).
		if existing, lerr := s.ReportCase(ctx, r.EventID); lerr == nil {
			return existing, true, nil
		}
	}
	return caseID, dup, err
}

func (s *Store) saveReport(ctx context.Context, r *store.Report, assign store.Assigner) (string, bool, error) {
	detections, err := json.Marshal(sqlstore.NonNil(r.Detections))
	if err != nil {
		return "", false, fmt.Errorf("sqlite: detections: %w", err)
	}
	warnOutcome, warn, err := sqlstore.WarnJSON(r.Warn)
	if err != nil {
		return "", false, fmt.Errorf("sqlite: %w", err)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return "", false, fmt.Errorf("sqlite: begin: %w", err)
	}
	defer tx.Rollback()

	var caseID string
	err = tx.QueryRowContext(ctx, `SELECT case_id FROM reports WHERE event_id = ?`, r.EventID).Scan(&caseID)
	switch {
	case err == nil:
		return caseID, true, nil
	case !errors.Is(err, sql.ErrNoRows):
		return "", false, fmt.Errorf("sqlite: look up event %q: %w", r.EventID, err)
	}

	now := time.Now()
	caseID, err = assign(ctx, &caseTx{tx: tx, s: s, now: now}, r)
	if err != nil {
		return "", false, fmt.Errorf("assign case: %w", err)
	}

	var lat, lon any
	if r.Location != nil {
		lat, lon = r.Location.Lat, r.Location.Lon
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO reports (
		event_id, case_id, device_id, camera_id, zone_id, rule_id, violation_type,
		observed_at, started_at, dwell_seconds, detections, lat, lon,
		model_name, model_version, model_sha256, frame_width, frame_height,
		signature, signed, signature_verified, received_at, suppressed, warn_outcome, warn
	) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.EventID, caseID, r.DeviceID, r.CameraID, r.ZoneID, r.RuleID, r.ViolationType,
		formatTime(r.ObservedAt), nullTime(r.StartedAt), r.DwellSeconds, string(detections), lat, lon,
		r.Model.Name, r.Model.Version, r.Model.SHA256, r.FrameWidth, r.FrameHeight,
		r.Signature, r.Signed, r.SignatureVerified, formatTime(now), r.Suppressed, warnOutcome, warn)
	if err != nil {
		return "", false, fmt.Errorf("sqlite: insert report %q: %w", r.EventID, err)
	}
	reportID, err := res.LastInsertId()
	if err != nil {
		return "", false, fmt.Errorf("sqlite: insert report %q: %w", r.EventID, err)
	}
	for _, e := range r.Evidence {
		if _, err := tx.ExecContext(ctx, `INSERT INTO evidence (report_id, name, kind, content_type, size, sha256)
			VALUES (?, ?, ?, ?, ?, ?)`, reportID, e.Name, e.Kind, e.ContentType, e.Size, e.SHA256); err != nil {
			return "", false, fmt.Errorf("sqlite: insert evidence %q of %q: %w", e.Name, r.EventID, err)
		}
	}
	if r.Warn != nil && len(r.Warn.Warnings) > 0 {
		// The warning goes in the case's trail: officers see 已劝导未整改.
		// The case keeps its status: from and to are the one it has.
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_audit (case_id, at, actor, action, from_status, to_status, comment)
			SELECT id, ?, ?, ?, status, status, ? FROM cases WHERE id = ?`, formatTime(now), store.SystemActor,
			store.ActionWarned, store.WarnedComment(r.Warn), caseID); err != nil {
			return "", false, fmt.Errorf("sqlite: audit warning of %q: %w", r.EventID, err)
		}
	}
	observed := formatTime(r.ObservedAt)
	res, err = tx.ExecContext(ctx, `UPDATE cases SET
		first_seen = CASE WHEN report_count = 0 OR ?1 < first_seen THEN ?1 ELSE first_seen END,
		last_seen  = CASE WHEN report_count = 0 OR ?1 > last_seen THEN ?1 ELSE last_seen END,
		report_count = report_count + 1,
		updated_at = ?2
		WHERE id = ?3`, observed, formatTime(now), caseID)
	if err != nil {
		return "", false, fmt.Errorf("sqlite: update case %s: %w", caseID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return "", false, fmt.Errorf("sqlite: assigner chose case %q, which does not exist", caseID)
	}
	if err := tx.Commit(); err != nil {
		return "", false, fmt.Errorf("sqlite: commit report %q: %w", r.EventID, err)
	}
	return caseID, false, nil
}

// ReportCase implements store.Store.
func (s *Store) ReportCase(ctx context.Context, eventID string) (string, error) {
	var caseID string
	err := s.db.QueryRowContext(ctx, `SELECT case_id FROM reports WHERE event_id = ?`, eventID).Scan(&caseID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", store.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("sqlite: look up event %q: %w", eventID, err)
	}
	return caseID, nil
}

// caseTx is the store.CaseTx of one SaveReport.
type caseTx struct {
	tx  *sql.Tx
	s   *Store
	now time.Time
}

// CaseNumber implements store.CaseTx.
func (c *caseTx) CaseNumber(ctx context.Context, id string) (string, error) {
	var n string
	if err := c.tx.QueryRowContext(ctx, `SELECT number FROM cases WHERE id = ?`, id).Scan(&n); err != nil {
		return "", fmt.Errorf("sqlite: number of case %s: %w", id, err)
	}
	return n, nil
}

func (c *caseTx) OpenCase(ctx context.Context, n store.NewCase) (string, error) {
	id, at := c.s.ids.NextWithTime(c.now)
	now := formatTime(at)
	var lat, lon any
	if n.Location != nil {
		lat, lon = n.Location.Lat, n.Location.Lon
	}
	day := casenum.Day(at, c.s.numberZone)
	var seq int64
	if err := c.tx.QueryRowContext(ctx, store.NextNumberSQL, day).Scan(&seq); err != nil {
		return "", fmt.Errorf("sqlite: open case: number of %s: %w", day, err)
	}
	// first_seen and last_seen are set when the first report is attached.
	_, err := c.tx.ExecContext(ctx, `INSERT INTO cases (
		id, status, violation_type, device_id, camera_id, zone_id, rule_id,
		first_seen, last_seen, report_count, created_at, updated_at,
		version, status_since, category_code, subcategory_code, lat, lon, grid_code, unit, address, number
	) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, n.Status, n.ViolationType, n.DeviceID, n.CameraID, n.ZoneID, n.RuleID, now, now, now, now,
		now, n.CategoryCode, n.SubcategoryCode, lat, lon, n.GridCode, n.Unit, n.Address, casenum.Format(day, seq))
	if err != nil {
		return "", fmt.Errorf("sqlite: open case: %w", err)
	}
	if _, err := c.tx.ExecContext(ctx, `INSERT INTO case_audit (case_id, at, actor, action, to_status)
		VALUES (?, ?, ?, ?, ?)`, id, now, store.SystemActor, store.ActionOpen, n.Status); err != nil {
		return "", fmt.Errorf("sqlite: open case: audit: %w", err)
	}
	return id, nil
}
