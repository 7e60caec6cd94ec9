package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/xiuhua/xiuhua/server/store"
)

// PutModelVersion implements store.Models.
func (s *Store) PutModelVersion(ctx context.Context, v *store.ModelVersion) (bool, error) {
	classes, err := json.Marshal(nonNil(v.Classes))
	if err != nil {
		return false, fmt.Errorf("sqlite: model classes: %w", err)
	}
	if v.CreatedAt.IsZero() {
		v.CreatedAt = time.Now().UTC().Truncate(time.Microsecond)
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO model_versions
		(name, version, sha256, size, family, input_width, input_height, classes, manifest, uploaded_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name, version) DO NOTHING`,
		v.Name, v.Version, v.SHA256, v.Size, v.Family, v.InputWidth, v.InputHeight, string(classes), v.Manifest,
		v.UploadedBy, formatTime(v.CreatedAt))
	if err != nil {
		return false, fmt.Errorf("sqlite: put model %s %s: %w", v.Name, v.Version, err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return true, nil
	}
	old, err := s.GetModelVersion(ctx, v.Name, v.Version)
	if err != nil {
		return false, err
	}
	if old.SHA256 != v.SHA256 {
		return false, fmt.Errorf("model %s %s exists with sha256 %s: %w", v.Name, v.Version, old.SHA256, store.ErrVersionTaken)
	}
	return false, nil
}

const modelColumns = `name, version, sha256, size, family, input_width, input_height, classes, manifest, uploaded_by, created_at`

func scanModel(row rowScanner) (store.ModelVersion, error) {
	var (
		v       store.ModelVersion
		classes string
		created string
	)
	err := row.Scan(&v.Name, &v.Version, &v.SHA256, &v.Size, &v.Family, &v.InputWidth, &v.InputHeight,
		&classes, &v.Manifest, &v.UploadedBy, &created)
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal([]byte(classes), &v.Classes); err != nil {
		return v, fmt.Errorf("model %s %s classes: %w", v.Name, v.Version, err)
	}
	v.CreatedAt, err = parseTime(created)
	return v, err
}

// GetModelVersion implements store.Models.
func (s *Store) GetModelVersion(ctx context.Context, name, version string) (*store.ModelVersion, error) {
	v, err := scanModel(s.db.QueryRowContext(ctx, `SELECT `+modelColumns+` FROM model_versions WHERE name = ? AND version = ?`, name, version))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: get model %s %s: %w", name, version, err)
	}
	return &v, nil
}

// ListModelVersions implements store.Models.
func (s *Store) ListModelVersions(ctx context.Context) ([]store.ModelVersion, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+modelColumns+` FROM model_versions ORDER BY created_at DESC, name, version`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list models: %w", err)
	}
	defer rows.Close()
	out := []store.ModelVersion{}
	for rows.Next() {
		v, err := scanModel(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list models: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// PutDeviceGroup implements store.Models.
func (s *Store) PutDeviceGroup(ctx context.Context, g *store.DeviceGroup) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: put group: %w", err)
	}
	defer tx.Rollback()
	g.UpdatedAt = time.Now().UTC().Truncate(time.Microsecond)
	if _, err := tx.ExecContext(ctx, `INSERT INTO device_groups (name, updated_at) VALUES (?, ?)
		ON CONFLICT (name) DO UPDATE SET updated_at = excluded.updated_at`, g.Name, formatTime(g.UpdatedAt)); err != nil {
		return fmt.Errorf("sqlite: put group %q: %w", g.Name, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM device_group_members WHERE group_name = ?`, g.Name); err != nil {
		return fmt.Errorf("sqlite: put group %q: %w", g.Name, err)
	}
	for _, d := range g.Devices {
		if _, err := tx.ExecContext(ctx, `INSERT INTO device_group_members (group_name, device_id) VALUES (?, ?)
			ON CONFLICT DO NOTHING`, g.Name, d); err != nil {
			return fmt.Errorf("sqlite: put group %q member %q: %w", g.Name, d, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: put group %q: %w", g.Name, err)
	}
	return nil
}

// ListDeviceGroups implements store.Models.
func (s *Store) ListDeviceGroups(ctx context.Context) ([]store.DeviceGroup, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT g.name, g.updated_at, COALESCE(m.device_id, '')
		FROM device_groups g LEFT JOIN device_group_members m ON m.group_name = g.name
		ORDER BY g.name, m.device_id`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list groups: %w", err)
	}
	defer rows.Close()
	out := []store.DeviceGroup{}
	for rows.Next() {
		var name, updated, dev string
		if err := rows.Scan(&name, &updated, &dev); err != nil {
			return nil, fmt.Errorf("sqlite: list groups: %w", err)
		}
		if len(out) == 0 || out[len(out)-1].Name != name {
			t, err := parseTime(updated)
			if err != nil {
				return nil, err
			}
			out = append(out, store.DeviceGroup{Name: name, Devices: []string{}, UpdatedAt: t})
		}
		if dev != "" {
			g := &out[len(out)-1]
			g.Devices = append(g.Devices, dev)
		}
	}
	return out, rows.Err()
}

// CreateRollout implements store.Models.
func (s *Store) CreateRollout(ctx context.Context, r *store.Rollout) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: create rollout: %w", err)
	}
	defer tx.Rollback()
	var one int
	err = tx.QueryRowContext(ctx, `SELECT 1 FROM device_groups WHERE name = ?`, r.Group).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("device group %q: %w", r.Group, store.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("sqlite: create rollout: %w", err)
	}
	err = tx.QueryRowContext(ctx, `SELECT sha256, size FROM model_versions WHERE name = ? AND version = ?`,
		r.Name, r.Version).Scan(&r.SHA256, &r.Size)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("model %s version %s: %w", r.Name, r.Version, store.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("sqlite: create rollout: %w", err)
	}
	r.CreatedAt = time.Now().UTC().Truncate(time.Microsecond)
	res, err := tx.ExecContext(ctx, `INSERT INTO model_rollouts (group_name, model_name, model_version, created_by, created_at)
		VALUES (?, ?, ?, ?, ?)`, r.Group, r.Name, r.Version, r.CreatedBy, formatTime(r.CreatedAt))
	if err != nil {
		return fmt.Errorf("sqlite: create rollout: %w", err)
	}
	if r.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("sqlite: create rollout: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: create rollout: %w", err)
	}
	return nil
}

const rolloutColumns = `r.id, r.group_name, r.model_name, r.model_version, v.sha256, v.size, r.created_by, r.created_at
	FROM model_rollouts r JOIN model_versions v ON v.name = r.model_name AND v.version = r.model_version`

func scanRollout(row rowScanner) (store.Rollout, error) {
	var (
		r       store.Rollout
		created string
	)
	if err := row.Scan(&r.ID, &r.Group, &r.Name, &r.Version, &r.SHA256, &r.Size, &r.CreatedBy, &created); err != nil {
		return r, err
	}
	var err error
	r.CreatedAt, err = parseTime(created)
	return r, err
}

// ListRollouts implements store.Models.
func (s *Store) ListRollouts(ctx context.Context, limit int) ([]store.Rollout, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+rolloutColumns+` ORDER BY r.id DESC LIMIT ?`, max(limit, 1))
	if err != nil {
		return nil, fmt.Errorf("sqlite: list rollouts: %w", err)
	}
	defer rows.Close()
	out := []store.Rollout{}
	for rows.Next() {
		r, err := scanRollout(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list rollouts: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// DeviceAssignment implements store.Models.
func (s *Store) DeviceAssignment(ctx context.Context, deviceID string) (*store.Rollout, error) {
	r, err := scanRollout(s.db.QueryRowContext(ctx, `SELECT `+rolloutColumns+`
		JOIN device_group_members m ON m.group_name = r.group_name
		WHERE m.device_id = ? ORDER BY r.id DESC LIMIT 1`, deviceID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: assignment of %q: %w", deviceID, err)
	}
	return &r, nil
}

// PutDeviceModel implements store.Models.
func (s *Store) PutDeviceModel(ctx context.Context, m *store.DeviceModel) error {
	running, target, cameras, failure, err := deviceModelJSON(m)
	if err != nil {
		return fmt.Errorf("sqlite: device model of %q: %w", m.DeviceID, err)
	}
	if m.UpdatedAt.IsZero() {
		m.UpdatedAt = time.Now().UTC().Truncate(time.Microsecond)
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO device_models
		(device_id, state, running, target, assignment_id, reason, changed_at, cameras, last_failure, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (device_id) DO UPDATE SET state = excluded.state, running = excluded.running,
			target = excluded.target, assignment_id = excluded.assignment_id, reason = excluded.reason,
			changed_at = excluded.changed_at, cameras = excluded.cameras, last_failure = excluded.last_failure,
			updated_at = excluded.updated_at`,
		m.DeviceID, m.State, running, target, m.AssignmentID, m.Reason, nullTime(m.ChangedAt), cameras, failure,
		formatTime(m.UpdatedAt))
	if err != nil {
		return fmt.Errorf("sqlite: device model of %q: %w", m.DeviceID, err)
	}
	return nil
}

// deviceModelJSON encodes a DeviceModel's JSON columns; failure is nil
// (NULL) when there is none.
func deviceModelJSON(m *store.DeviceModel) (running, target, cameras string, failure any, err error) {
	b, err := json.Marshal(m.Running)
	if err != nil {
		return
	}
	running = string(b)
	if b, err = json.Marshal(m.Target); err != nil {
		return
	}
	target = string(b)
	if b, err = json.Marshal(nonNil(m.Cameras)); err != nil {
		return
	}
	cameras = string(b)
	if m.LastFailure != nil {
		if b, err = json.Marshal(m.LastFailure); err != nil {
			return
		}
		failure = string(b)
	}
	return
}

const deviceModelColumns = `device_id, state, running, target, assignment_id, reason, changed_at, cameras, last_failure, updated_at`

func scanDeviceModel(row rowScanner) (store.DeviceModel, error) {
	var (
		m                        store.DeviceModel
		running, target, cameras string
		changed, failure         sql.NullString
		updated                  string
	)
	if err := row.Scan(&m.DeviceID, &m.State, &running, &target, &m.AssignmentID, &m.Reason, &changed, &cameras, &failure, &updated); err != nil {
		return m, err
	}
	if err := decodeDeviceModel(&m, running, target, cameras, failure.String); err != nil {
		return m, err
	}
	var err error
	if changed.Valid {
		if m.ChangedAt, err = parseTime(changed.String); err != nil {
			return m, err
		}
	}
	m.UpdatedAt, err = parseTime(updated)
	return m, err
}

func decodeDeviceModel(m *store.DeviceModel, running, target, cameras, failure string) error {
	if err := json.Unmarshal([]byte(running), &m.Running); err != nil {
		return fmt.Errorf("device model of %q: running: %w", m.DeviceID, err)
	}
	if err := json.Unmarshal([]byte(target), &m.Target); err != nil {
		return fmt.Errorf("device model of %q: target: %w", m.DeviceID, err)
	}
	if err := json.Unmarshal([]byte(cameras), &m.Cameras); err != nil {
		return fmt.Errorf("device model of %q: cameras: %w", m.DeviceID, err)
	}
	if failure != "" {
		m.LastFailure = &store.ModelFailure{}
		if err := json.Unmarshal([]byte(failure), m.LastFailure); err != nil {
			return fmt.Errorf("device model of %q: last failure: %w", m.DeviceID, err)
		}
		m.LastFailure.At = m.LastFailure.At.UTC()
	}
	return nil
}

// GetDeviceModel implements store.Models.
func (s *Store) GetDeviceModel(ctx context.Context, deviceID string) (*store.DeviceModel, error) {
	m, err := scanDeviceModel(s.db.QueryRowContext(ctx, `SELECT `+deviceModelColumns+` FROM device_models WHERE device_id = ?`, deviceID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: device model of %q: %w", deviceID, err)
	}
	return &m, nil
}

// ListDeviceModels implements store.Models.
func (s *Store) ListDeviceModels(ctx context.Context) ([]store.DeviceModel, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+deviceModelColumns+` FROM device_models ORDER BY device_id`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list device models: %w", err)
	}
	defer rows.Close()
	out := []store.DeviceModel{}
	for rows.Next() {
		m, err := scanDeviceModel(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list device models: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// TrainingReports implements store.Models.
func (s *Store) TrainingReports(ctx context.Context, statuses []string, afterID int64, limit int) ([]store.TrainingReport, error) {
	if len(statuses) == 0 {
		return []store.TrainingReport{}, nil
	}
	args := []any{afterID}
	for _, st := range statuses {
		args = append(args, st)
	}
	args = append(args, max(limit, 1))
	rows, err := s.db.QueryContext(ctx, `SELECT r.id, c.status, r.event_id, r.case_id, r.device_id, r.camera_id,
		r.violation_type, r.observed_at, r.detections, r.frame_width, r.frame_height, r.suppressed,
		r.model_name, r.model_version, r.model_sha256
		FROM reports r JOIN cases c ON c.id = r.case_id
		WHERE r.id > ? AND c.status IN (?`+strings.Repeat(", ?", len(statuses)-1)+`)
		ORDER BY r.id LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: training reports: %w", err)
	}
	defer rows.Close()
	out := []store.TrainingReport{}
	index := map[int64]int{}
	for rows.Next() {
		var (
			t          store.TrainingReport
			observed   string
			detections string
		)
		if err := rows.Scan(&t.ID, &t.CaseStatus, &t.EventID, &t.CaseID, &t.DeviceID, &t.CameraID,
			&t.ViolationType, &observed, &detections, &t.FrameWidth, &t.FrameHeight, &t.Suppressed,
			&t.Model.Name, &t.Model.Version, &t.Model.SHA256); err != nil {
			return nil, fmt.Errorf("sqlite: training reports: %w", err)
		}
		if t.ObservedAt, err = parseTime(observed); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(detections), &t.Detections); err != nil {
			return nil, fmt.Errorf("sqlite: report %q: detections: %w", t.EventID, err)
		}
		index[t.ID] = len(out)
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: training reports: %w", err)
	}
	rows.Close()
	if len(out) == 0 {
		return out, nil
	}
	erows, err := s.db.QueryContext(ctx, `SELECT report_id, name, kind, content_type, size, sha256
		FROM evidence WHERE report_id >= ? AND report_id <= ? ORDER BY report_id, id`, out[0].ID, out[len(out)-1].ID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: training evidence: %w", err)
	}
	defer erows.Close()
	for erows.Next() {
		var (
			id int64
			e  store.Evidence
		)
		if err := erows.Scan(&id, &e.Name, &e.Kind, &e.ContentType, &e.Size, &e.SHA256); err != nil {
			return nil, fmt.Errorf("sqlite: training evidence: %w", err)
		}
		if i, ok := index[id]; ok {
			out[i].Evidence = append(out[i].Evidence, e)
		}
	}
	return out, erows.Err()
}
