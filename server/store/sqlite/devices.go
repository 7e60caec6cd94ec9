package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/xiuhua/xiuhua/server/store"
)

// UpsertDevice implements store.Store. A zero LastSeen means now.
func (s *Store) UpsertDevice(ctx context.Context, d *store.Device) error {
	seen := d.LastSeen
	if seen.IsZero() {
		seen = time.Now()
	}
	cameras := string(d.Cameras)
	if cameras == "" {
		cameras = "[]"
	}
	var key any
	if len(d.PublicKey) > 0 {
		key = d.PublicKey
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO devices (id, public_key, hostname, version, cameras, first_seen, last_seen)
		VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
		ON CONFLICT (id) DO UPDATE SET
			public_key = excluded.public_key,
			hostname = excluded.hostname,
			version = excluded.version,
			cameras = excluded.cameras,
			last_seen = excluded.last_seen`,
		d.ID, key, d.Hostname, d.Version, cameras, formatTime(seen))
	if err != nil {
		return fmt.Errorf("sqlite: upsert device %q: %w", d.ID, err)
	}
	return nil
}

// Heartbeat implements store.Store.
func (s *Store) Heartbeat(ctx context.Context, deviceID string, at time.Time, status json.RawMessage) error {
	var st any
	if len(status) > 0 {
		st = string(status)
	}
	res, err := s.db.ExecContext(ctx, `UPDATE devices SET last_seen = ?, status = ? WHERE id = ?`,
		formatTime(at), st, deviceID)
	if err != nil {
		return fmt.Errorf("sqlite: heartbeat of %q: %w", deviceID, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// GetDevice implements store.Store.
func (s *Store) GetDevice(ctx context.Context, id string) (*store.Device, error) {
	var (
		d           store.Device
		cameras     string
		status      sql.NullString
		first, last string
	)
	err := s.db.QueryRowContext(ctx, `SELECT id, public_key, hostname, version, cameras, first_seen, last_seen, status
		FROM devices WHERE id = ?`, id).Scan(&d.ID, &d.PublicKey, &d.Hostname, &d.Version, &cameras, &first, &last, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: get device %q: %w", id, err)
	}
	d.Cameras = json.RawMessage(cameras)
	if status.Valid {
		d.Status = json.RawMessage(status.String)
	}
	if d.FirstSeen, err = parseTime(first); err != nil {
		return nil, err
	}
	if d.LastSeen, err = parseTime(last); err != nil {
		return nil, err
	}
	return &d, nil
}
