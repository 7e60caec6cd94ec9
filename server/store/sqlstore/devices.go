package sqlstore

import (
	"context"
	"encoding/json"
	"errors"
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
	var key any // NULL, not an empty blob, when the box sent none
	if len(d.PublicKey) > 0 {
		key = d.PublicKey
	}
	_, err := s.db.Exec(ctx, `INSERT INTO devices (id, public_key, hostname, version, cameras, first_seen, last_seen)
		VALUES ($1, $2, $3, $4, $5, $6, $6)
		ON CONFLICT (id) DO UPDATE SET
			public_key = excluded.public_key,
			hostname = excluded.hostname,
			version = excluded.version,
			cameras = excluded.cameras,
			last_seen = excluded.last_seen`,
		d.ID, key, d.Hostname, d.Version, cameras, seen)
	if err != nil {
		return s.errorf("upsert device %q: %w", d.ID, err)
	}
	return nil
}

// Heartbeat implements store.Store.
func (s *Store) Heartbeat(ctx context.Context, deviceID string, at time.Time, status json.RawMessage) error {
	var st *string
	if len(status) > 0 {
		v := string(status)
		st = &v
	}
	n, err := s.db.Exec(ctx, `UPDATE devices SET last_seen = $1, status = $2 WHERE id = $3`, at, st, deviceID)
	if err != nil {
		return s.errorf("heartbeat of %q: %w", deviceID, err)
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// GetDevice implements store.Store.
func (s *Store) GetDevice(ctx context.Context, id string) (*store.Device, error) {
	var (
		d       store.Device
		cameras string
		status  *string
	)
	err := s.db.QueryRow(ctx, `SELECT id, public_key, hostname, version, cameras, first_seen, last_seen, status
		FROM devices WHERE id = $1`, id).Scan(&d.ID, &d.PublicKey, &d.Hostname, &d.Version, &cameras, &d.FirstSeen, &d.LastSeen, &status)
	if errors.Is(err, ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, s.errorf("get device %q: %w", id, err)
	}
	d.Cameras = json.RawMessage(cameras)
	if status != nil {
		d.Status = json.RawMessage(*status)
	}
	return &d, nil
}
