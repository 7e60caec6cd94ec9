package sqlstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/xiuhua/xiuhua/server/store"
)

// NonNil is s, or an empty slice for nil, so that JSON columns hold [] and
// not null.
func NonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// now is the time the store stamps rows with, at the precision both
// dialects keep.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// PutModelVersion implements store.Models.
func (s *Store) PutModelVersion(ctx context.Context, v *store.ModelVersion) (bool, error) {
	classes, err := json.Marshal(NonNil(v.Classes))
	if err != nil {
		return false, s.errorf("model classes: %w", err)
	}
	if v.CreatedAt.IsZero() {
		v.CreatedAt = now()
	}
	n, err := s.db.Exec(ctx, `INSERT INTO model_versions
		(name, version, sha256, size, family, input_width, input_height, classes, manifest, uploaded_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (name, version) DO NOTHING`,
		v.Name, v.Version, v.SHA256, v.Size, v.Family, v.InputWidth, v.InputHeight, string(classes), v.Manifest,
		v.UploadedBy, v.CreatedAt)
	if err != nil {
		return false, s.errorf("put model %s %s: %w", v.Name, v.Version, err)
	}
	if n == 1 {
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

func scanModel(row Row) (store.ModelVersion, error) {
	var (
		v       store.ModelVersion
		classes string
	)
	err := row.Scan(&v.Name, &v.Version, &v.SHA256, &v.Size, &v.Family, &v.InputWidth, &v.InputHeight,
		&classes, &v.Manifest, &v.UploadedBy, &v.CreatedAt)
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal([]byte(classes), &v.Classes); err != nil {
		return v, fmt.Errorf("model %s %s classes: %w", v.Name, v.Version, err)
	}
	return v, nil
}

// GetModelVersion implements store.Models.
func (s *Store) GetModelVersion(ctx context.Context, name, version string) (*store.ModelVersion, error) {
	v, err := scanModel(s.db.QueryRow(ctx, `SELECT `+modelColumns+` FROM model_versions WHERE name = $1 AND version = $2`, name, version))
	if errors.Is(err, ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, s.errorf("get model %s %s: %w", name, version, err)
	}
	return &v, nil
}

// ListModelVersions implements store.Models.
func (s *Store) ListModelVersions(ctx context.Context) ([]store.ModelVersion, error) {
	out, err := queryAll(ctx, s.db, scanModel, `SELECT `+modelColumns+` FROM model_versions ORDER BY created_at DESC, name, version`)
	if err != nil {
		return nil, s.errorf("list models: %w", err)
	}
	return NonNil(out), nil
}

// PutDeviceGroup implements store.Models.
func (s *Store) PutDeviceGroup(ctx context.Context, g *store.DeviceGroup) error {
	g.UpdatedAt = now()
	err := s.db.InTx(ctx, func(tx Querier) error {
		if _, err := tx.Exec(ctx, `INSERT INTO device_groups (name, updated_at) VALUES ($1, $2)
			ON CONFLICT (name) DO UPDATE SET updated_at = excluded.updated_at`, g.Name, g.UpdatedAt); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM device_group_members WHERE group_name = $1`, g.Name); err != nil {
			return err
		}
		for _, d := range g.Devices {
			if _, err := tx.Exec(ctx, `INSERT INTO device_group_members (group_name, device_id) VALUES ($1, $2)
				ON CONFLICT DO NOTHING`, g.Name, d); err != nil {
				return fmt.Errorf("member %q: %w", d, err)
			}
		}
		return nil
	})
	if err != nil {
		return s.errorf("put group %q: %w", g.Name, err)
	}
	return nil
}

// ListDeviceGroups implements store.Models.
func (s *Store) ListDeviceGroups(ctx context.Context) ([]store.DeviceGroup, error) {
	type member struct {
		group, device string
		updated       time.Time
	}
	ms, err := queryAll(ctx, s.db, func(row Row) (m member, err error) {
		return m, row.Scan(&m.group, &m.updated, &m.device)
	}, `SELECT g.name, g.updated_at, COALESCE(m.device_id, '')
		FROM device_groups g LEFT JOIN device_group_members m ON m.group_name = g.name
		ORDER BY g.name, m.device_id`)
	if err != nil {
		return nil, s.errorf("list groups: %w", err)
	}
	out := []store.DeviceGroup{}
	for _, m := range ms {
		if len(out) == 0 || out[len(out)-1].Name != m.group {
			out = append(out, store.DeviceGroup{Name: m.group, Devices: []string{}, UpdatedAt: m.updated})
		}
		if m.device != "" {
			g := &out[len(out)-1]
			g.Devices = append(g.Devices, m.device)
		}
	}
	return out, nil
}

// CreateRollout implements store.Models.
func (s *Store) CreateRollout(ctx context.Context, r *store.Rollout) error {
	r.CreatedAt = now()
	err := s.db.InTx(ctx, func(tx Querier) error {
		var one int
		err := tx.QueryRow(ctx, `SELECT 1 FROM device_groups WHERE name = $1`, r.Group).Scan(&one)
		if errors.Is(err, ErrNoRows) {
			return fmt.Errorf("device group %q: %w", r.Group, store.ErrNotFound)
		}
		if err != nil {
			return err
		}
		err = tx.QueryRow(ctx, `SELECT sha256, size FROM model_versions WHERE name = $1 AND version = $2`,
			r.Name, r.Version).Scan(&r.SHA256, &r.Size)
		if errors.Is(err, ErrNoRows) {
			return fmt.Errorf("model %s version %s: %w", r.Name, r.Version, store.ErrNotFound)
		}
		if err != nil {
			return err
		}
		return tx.QueryRow(ctx, `INSERT INTO model_rollouts (group_name, model_name, model_version, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, r.Group, r.Name, r.Version, r.CreatedBy, r.CreatedAt).Scan(&r.ID)
	})
	if errors.Is(err, store.ErrNotFound) {
		return err
	}
	if err != nil {
		return s.errorf("create rollout: %w", err)
	}
	return nil
}

const rolloutColumns = `r.id, r.group_name, r.model_name, r.model_version, v.sha256, v.size, r.created_by, r.created_at
	FROM model_rollouts r JOIN model_versions v ON v.name = r.model_name AND v.version = r.model_version`

func scanRollout(row Row) (r store.Rollout, err error) {
	return r, row.Scan(&r.ID, &r.Group, &r.Name, &r.Version, &r.SHA256, &r.Size, &r.CreatedBy, &r.CreatedAt)
}

// ListRollouts implements store.Models.
func (s *Store) ListRollouts(ctx context.Context, limit int) ([]store.Rollout, error) {
	out, err := queryAll(ctx, s.db, scanRollout, `SELECT `+rolloutColumns+` ORDER BY r.id DESC LIMIT $1`, max(limit, 1))
	if err != nil {
		return nil, s.errorf("list rollouts: %w", err)
	}
	return NonNil(out), nil
}

// DeviceAssignment implements store.Models.
func (s *Store) DeviceAssignment(ctx context.Context, deviceID string) (*store.Rollout, error) {
	r, err := scanRollout(s.db.QueryRow(ctx, `SELECT `+rolloutColumns+`
		JOIN device_group_members m ON m.group_name = r.group_name
		WHERE m.device_id = $1 ORDER BY r.id DESC LIMIT 1`, deviceID))
	if errors.Is(err, ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, s.errorf("assignment of %q: %w", deviceID, err)
	}
	return &r, nil
}

// PutDeviceModel implements store.Models.
func (s *Store) PutDeviceModel(ctx context.Context, m *store.DeviceModel) error {
	var (
		js      [3][]byte
		failure *string
		err     error
	)
	for i, v := range []any{m.Running, m.Target, NonNil(m.Cameras)} {
		if js[i], err = json.Marshal(v); err != nil {
			return s.errorf("device model of %q: %w", m.DeviceID, err)
		}
	}
	if m.LastFailure != nil {
		b, err := json.Marshal(m.LastFailure)
		if err != nil {
			return s.errorf("device model of %q: %w", m.DeviceID, err)
		}
		f := string(b)
		failure = &f
	}
	if m.UpdatedAt.IsZero() {
		m.UpdatedAt = now()
	}
	var changed *time.Time
	if !m.ChangedAt.IsZero() {
		changed = &m.ChangedAt
	}
	_, err = s.db.Exec(ctx, `INSERT INTO device_models
		(device_id, state, running, target, assignment_id, reason, changed_at, cameras, last_failure, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (device_id) DO UPDATE SET state = excluded.state, running = excluded.running,
			target = excluded.target, assignment_id = excluded.assignment_id, reason = excluded.reason,
			changed_at = excluded.changed_at, cameras = excluded.cameras, last_failure = excluded.last_failure,
			updated_at = excluded.updated_at`,
		m.DeviceID, m.State, string(js[0]), string(js[1]), m.AssignmentID, m.Reason, changed,
		string(js[2]), failure, m.UpdatedAt)
	if err != nil {
		return s.errorf("device model of %q: %w", m.DeviceID, err)
	}
	return nil
}

const deviceModelColumns = `device_id, state, running, target, assignment_id, reason, changed_at, cameras, last_failure, updated_at`

func scanDeviceModel(row Row) (store.DeviceModel, error) {
	var (
		m                        store.DeviceModel
		running, target, cameras string
		changed                  *time.Time
		failure                  *string
	)
	if err := row.Scan(&m.DeviceID, &m.State, &running, &target, &m.AssignmentID, &m.Reason, &changed, &cameras, &failure, &m.UpdatedAt); err != nil {
		return m, err
	}
	if changed != nil {
		m.ChangedAt = *changed
	}
	for _, c := range []struct {
		name string
		text string
		into any
	}{{"running", running, &m.Running}, {"target", target, &m.Target}, {"cameras", cameras, &m.Cameras}} {
		if err := json.Unmarshal([]byte(c.text), c.into); err != nil {
			return m, fmt.Errorf("device model of %q: %s: %w", m.DeviceID, c.name, err)
		}
	}
	if failure != nil {
		m.LastFailure = &store.ModelFailure{}
		if err := json.Unmarshal([]byte(*failure), m.LastFailure); err != nil {
			return m, fmt.Errorf("device model of %q: last failure: %w", m.DeviceID, err)
		}
		m.LastFailure.At = m.LastFailure.At.UTC()
	}
	return m, nil
}

// GetDeviceModel implements store.Models.
func (s *Store) GetDeviceModel(ctx context.Context, deviceID string) (*store.DeviceModel, error) {
	m, err := scanDeviceModel(s.db.QueryRow(ctx, `SELECT `+deviceModelColumns+` FROM device_models WHERE device_id = $1`, deviceID))
	if errors.Is(err, ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, s.errorf("device model of %q: %w", deviceID, err)
	}
	return &m, nil
}

// ListDeviceModels implements store.Models.
func (s *Store) ListDeviceModels(ctx context.Context) ([]store.DeviceModel, error) {
	out, err := queryAll(ctx, s.db, scanDeviceModel, `SELECT `+deviceModelColumns+` FROM device_models ORDER BY device_id`)
	if err != nil {
		return nil, s.errorf("list device models: %w", err)
	}
	return NonNil(out), nil
}

// TrainingReports implements store.Models.
func (s *Store) TrainingReports(ctx context.Context, statuses []string, afterID int64, limit int) ([]store.TrainingReport, error) {
	if len(statuses) == 0 {
		return []store.TrainingReport{}, nil
	}
	p := params{afterID}
	in := make([]string, len(statuses))
	for i, st := range statuses {
		in[i] = p.add(st)
	}
	out, err := queryAll(ctx, s.db, func(row Row) (store.TrainingReport, error) {
		var (
			t          store.TrainingReport
			detections string
		)
		if err := row.Scan(&t.ID, &t.CaseStatus, &t.EventID, &t.CaseID, &t.DeviceID, &t.CameraID,
			&t.ViolationType, &t.ObservedAt, &detections, &t.FrameWidth, &t.FrameHeight, &t.Suppressed,
			&t.Model.Name, &t.Model.Version, &t.Model.SHA256); err != nil {
			return t, err
		}
		if err := json.Unmarshal([]byte(detections), &t.Detections); err != nil {
			return t, fmt.Errorf("report %q: detections: %w", t.EventID, err)
		}
		return t, nil
	}, `SELECT r.id, c.status, r.event_id, r.case_id, r.device_id, r.camera_id,
		r.violation_type, r.observed_at, r.detections, r.frame_width, r.frame_height, r.suppressed,
		r.model_name, r.model_version, r.model_sha256
		FROM reports r JOIN cases c ON c.id = r.case_id
		WHERE r.id > $1 AND c.status IN (`+strings.Join(in, ", ")+`)
		ORDER BY r.id LIMIT `+p.add(max(limit, 1)), p...)
	if err != nil {
		return nil, s.errorf("training reports: %w", err)
	}
	if len(out) == 0 {
		return []store.TrainingReport{}, nil
	}
	index := make(map[int64]int, len(out))
	for i, t := range out {
		index[t.ID] = i
	}
	rows, err := s.db.Query(ctx, `SELECT report_id, name, kind, content_type, size, sha256
		FROM evidence WHERE report_id >= $1 AND report_id <= $2 ORDER BY report_id, id`, out[0].ID, out[len(out)-1].ID)
	if err == nil {
		err = attachEvidence(rows, index, false, func(i int, e store.Evidence) {
			out[i].Evidence = append(out[i].Evidence, e)
		})
	}
	if err != nil {
		return nil, s.errorf("training evidence: %w", err)
	}
	return out, nil
}
