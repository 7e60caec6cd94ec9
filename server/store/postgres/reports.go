package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/xiuhua/xiuhua/server/store"
	"github.com/xiuhua/xiuhua/server/store/casenum"
	"github.com/xiuhua/xiuhua/server/store/sqlstore"
)

// SaveReport implements store.Store. Replicas may receive the same event
// at once (an edge retrying against another replica behind a balancer):
// the report INSERT's ON CONFLICT makes the second transaction wait for the
// first, then store nothing; it rolls back the case its assigner may have
// opened and answers with the first one's case.
func (s *Store) SaveReport(ctx context.Context, r *store.Report, assign store.Assigner) (string, bool, error) {
	caseID, stored, err := s.saveReport(ctx, r, assign)
	if err != nil {
		return "", false, err
	}
	if stored {
		return caseID, false, nil
	}
	existing, err := s.ReportCase(ctx, r.EventID)
	if err != nil {
		return "", false, fmt.Errorf("postgres: event %q stored concurrently, but: %w", r.EventID, err)
	}
	return existing, true, nil
}

// saveReport returns stored false when the event id is already stored.
func (s *Store) saveReport(ctx context.Context, r *store.Report, assign store.Assigner) (string, bool, error) {
	detections, err := json.Marshal(sqlstore.NonNil(r.Detections))
	if err != nil {
		return "", false, fmt.Errorf("postgres: detections: %w", err)
	}
	warnOutcome, warn, err := sqlstore.WarnJSON(r.Warn)
	if err != nil {
		return "", false, fmt.Errorf("postgres: %w", err)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return "", false, fmt.Errorf("postgres: begin: %w", err)
	}
	defer tx.Rollback(ctx)

	var caseID string
	err = tx.QueryRow(ctx, `SELECT case_id FROM reports WHERE event_id = $1`, r.EventID).Scan(&caseID)
	switch {
	case err == nil:
		return caseID, false, nil
	case !errors.Is(err, pgx.ErrNoRows):
		return "", false, fmt.Errorf("postgres: look up event %q: %w", r.EventID, err)
	}

	now := time.Now().UTC()
	caseID, err = assign(ctx, &caseTx{tx: tx, s: s, now: now}, r)
	if err != nil {
		return "", false, fmt.Errorf("assign case: %w", err)
	}

	var lat, lon *float64
	if r.Location != nil {
		lat, lon = &r.Location.Lat, &r.Location.Lon
	}
	var reportID int64
	err = tx.QueryRow(ctx, `INSERT INTO reports (
		event_id, case_id, device_id, camera_id, zone_id, rule_id, violation_type,
		observed_at, started_at, dwell_seconds, detections, lat, lon,
		model_name, model_version, model_sha256, frame_width, frame_height,
		signature, signed, signature_verified, received_at, suppressed, warn_outcome, warn
	) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)
	ON CONFLICT (event_id) DO NOTHING
	RETURNING id`,
		r.EventID, caseID, r.DeviceID, r.CameraID, r.ZoneID, r.RuleID, r.ViolationType,
		r.ObservedAt, nullTime(r.StartedAt), r.DwellSeconds, string(detections), lat, lon,
		r.Model.Name, r.Model.Version, r.Model.SHA256, r.FrameWidth, r.FrameHeight,
		r.Signature, r.Signed, r.SignatureVerified, now, r.Suppressed, warnOutcome, warn).Scan(&reportID)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil // another transaction stored it first
	}
	if err != nil {
		return "", false, fmt.Errorf("postgres: insert report %q: %w", r.EventID, err)
	}
	for _, e := range r.Evidence {
		if _, err := tx.Exec(ctx, `INSERT INTO evidence (report_id, name, kind, content_type, size, sha256)
			VALUES ($1, $2, $3, $4, $5, $6)`, reportID, e.Name, e.Kind, e.ContentType, e.Size, e.SHA256); err != nil {
			return "", false, fmt.Errorf("postgres: insert evidence %q of %q: %w", e.Name, r.EventID, err)
		}
	}
	if r.Warn != nil && len(r.Warn.Warnings) > 0 {
		// The warning goes in the case's trail: officers see 已劝导未整改.
		// The case keeps its status: from and to are the one it has.
		if _, err := tx.Exec(ctx, `INSERT INTO case_audit (case_id, at, actor, action, from_status, to_status, comment)
			SELECT id, $1, $2, $3, status, status, $4 FROM cases WHERE id = $5`, now, store.SystemActor,
			store.ActionWarned, store.WarnedComment(r.Warn), caseID); err != nil {
			return "", false, fmt.Errorf("postgres: audit warning of %q: %w", r.EventID, err)
		}
	}
	tag, err := tx.Exec(ctx, `UPDATE cases SET
		first_seen = CASE WHEN report_count = 0 OR $1 < first_seen THEN $1 ELSE first_seen END,
		last_seen  = CASE WHEN report_count = 0 OR $1 > last_seen THEN $1 ELSE last_seen END,
		report_count = report_count + 1,
		updated_at = $2
		WHERE id = $3`, r.ObservedAt, now, caseID)
	if err != nil {
		return "", false, fmt.Errorf("postgres: update case %s: %w", caseID, err)
	}
	if tag.RowsAffected() != 1 {
		return "", false, fmt.Errorf("postgres: assigner chose case %q, which does not exist", caseID)
	}
	if err := tx.Commit(ctx); err != nil {
		return "", false, fmt.Errorf("postgres: commit report %q: %w", r.EventID, err)
	}
	return caseID, true, nil
}

// ReportCase implements store.Store.
func (s *Store) ReportCase(ctx context.Context, eventID string) (string, error) {
	var caseID string
	err := s.pool.QueryRow(ctx, `SELECT case_id FROM reports WHERE event_id = $1`, eventID).Scan(&caseID)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", store.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("postgres: look up event %q: %w", eventID, err)
	}
	return caseID, nil
}

// caseTx is the store.CaseTx of one SaveReport.
type caseTx struct {
	tx  pgx.Tx
	s   *Store
	now time.Time
}

// CaseNumber implements store.CaseTx.
func (c *caseTx) CaseNumber(ctx context.Context, id string) (string, error) {
	var n string
	if err := c.tx.QueryRow(ctx, `SELECT number FROM cases WHERE id = $1`, id).Scan(&n); err != nil {
		return "", fmt.Errorf("postgres: number of case %s: %w", id, err)
	}
	return n, nil
}

func (c *caseTx) OpenCase(ctx context.Context, n store.NewCase) (string, error) {
	id, at := c.s.ids.NextWithTime(c.now)
	var lat, lon *float64
	if n.Location != nil {
		lat, lon = &n.Location.Lat, &n.Location.Lon
	}
	day := casenum.Day(at, c.s.numberZone)
	var seq int64
	if err := c.tx.QueryRow(ctx, store.NextNumberSQL, day).Scan(&seq); err != nil {
		return "", fmt.Errorf("postgres: open case: number of %s: %w", day, err)
	}
	// first_seen and last_seen are set when the first report is attached.
	_, err := c.tx.Exec(ctx, `INSERT INTO cases (
		id, status, violation_type, device_id, camera_id, zone_id, rule_id,
		first_seen, last_seen, report_count, created_at, updated_at,
		version, status_since, category_code, subcategory_code, lat, lon, grid_code, unit, address, number
	) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, 0, $8, $8, 1, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
		id, n.Status, n.ViolationType, n.DeviceID, n.CameraID, n.ZoneID, n.RuleID, at,
		n.CategoryCode, n.SubcategoryCode, lat, lon, n.GridCode, n.Unit, n.Address, casenum.Format(day, seq))
	if err != nil {
		return "", fmt.Errorf("postgres: open case: %w", err)
	}
	if _, err := c.tx.Exec(ctx, `INSERT INTO case_audit (case_id, at, actor, action, to_status)
		VALUES ($1, $2, $3, $4, $5)`, id, at, store.SystemActor, store.ActionOpen, n.Status); err != nil {
		return "", fmt.Errorf("postgres: open case: audit: %w", err)
	}
	return id, nil
}
