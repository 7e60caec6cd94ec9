package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/xiuhua/xiuhua/server/store"
	"github.com/xiuhua/xiuhua/server/store/sqlstore"
)

// isUnique reports a PRIMARY KEY or UNIQUE clash; the driver's error text
// is the stable part of its API for this.
func isUnique(err error) bool {
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// PutDeviceCredential implements store.Auth.
func (s *Store) PutDeviceCredential(ctx context.Context, d *store.DeviceCredential) error {
	cams := d.Cameras
	if cams == nil {
		cams = []string{}
	}
	b, err := json.Marshal(cams)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO device_credentials (device_id, token_hash, cameras, revoked, created_at, public_key)
		VALUES (?, ?, ?, 0, ?, ?)
		ON CONFLICT (device_id) DO UPDATE SET token_hash = excluded.token_hash, cameras = excluded.cameras, revoked = 0,
			public_key = COALESCE(excluded.public_key, device_credentials.public_key)`,
		d.DeviceID, d.TokenHash, string(b), formatTime(sqlstore.OrNow(d.CreatedAt)), keyArg(d.PublicKey))
	if err != nil {
		return fmt.Errorf("sqlite: put device credential %q: %w", d.DeviceID, err)
	}
	return nil
}

// GetDeviceCredential implements store.Auth.
func (s *Store) GetDeviceCredential(ctx context.Context, deviceID string) (*store.DeviceCredential, error) {
	var (
		d             store.DeviceCredential
		cams, created string
	)
	err := s.db.QueryRowContext(ctx, `SELECT device_id, token_hash, cameras, revoked, created_at, public_key FROM device_credentials WHERE device_id = ?`, deviceID).
		Scan(&d.DeviceID, &d.TokenHash, &cams, &d.Revoked, &created, &d.PublicKey)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: get device credential %q: %w", deviceID, err)
	}
	if err := json.Unmarshal([]byte(cams), &d.Cameras); err != nil {
		return nil, fmt.Errorf("sqlite: device credential %q: cameras: %w", deviceID, err)
	}
	if d.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	return &d, nil
}

// RevokeDeviceCredential implements store.Auth.
func (s *Store) RevokeDeviceCredential(ctx context.Context, deviceID string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE device_credentials SET revoked = 1 WHERE device_id = ?`, deviceID)
	if err != nil {
		return fmt.Errorf("sqlite: revoke device %q: %w", deviceID, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// keyArg is NULL for no key, not an empty blob.
func keyArg(k []byte) any {
	if len(k) == 0 {
		return nil
	}
	return k
}

// PinDeviceKey implements store.Auth.
func (s *Store) PinDeviceKey(ctx context.Context, deviceID string, key []byte) ([]byte, error) {
	var pinned []byte
	err := s.db.QueryRowContext(ctx, `UPDATE device_credentials SET public_key = COALESCE(public_key, ?)
		WHERE device_id = ? RETURNING public_key`, keyArg(key), deviceID).Scan(&pinned)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: pin key of device %q: %w", deviceID, err)
	}
	return pinned, nil
}

// SetDeviceKey implements store.Auth.
func (s *Store) SetDeviceKey(ctx context.Context, deviceID string, key []byte) error {
	res, err := s.db.ExecContext(ctx, `UPDATE device_credentials SET public_key = ? WHERE device_id = ?`, keyArg(key), deviceID)
	if err != nil {
		return fmt.Errorf("sqlite: set key of device %q: %w", deviceID, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return store.ErrNotFound
	}
	return nil
}
