package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/xiuhua/xiuhua/server/store"
	"github.com/xiuhua/xiuhua/server/store/sqlstore"
)

// PutDeviceCredential implements store.Auth.
func (s *Store) PutDeviceCredential(ctx context.Context, d *store.DeviceCredential) error {
	cams := d.Cameras
	if cams == nil {
		cams = []string{}
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO device_credentials (device_id, token_hash, cameras, revoked, created_at, public_key)
		VALUES ($1, $2, $3, FALSE, $4, $5)
		ON CONFLICT (device_id) DO UPDATE SET token_hash = excluded.token_hash, cameras = excluded.cameras, revoked = FALSE,
			public_key = COALESCE(excluded.public_key, device_credentials.public_key)`,
		d.DeviceID, d.TokenHash, cams, sqlstore.OrNow(d.CreatedAt), keyArg(d.PublicKey))
	if err != nil {
		return fmt.Errorf("postgres: put device credential %q: %w", d.DeviceID, err)
	}
	return nil
}

// GetDeviceCredential implements store.Auth.
func (s *Store) GetDeviceCredential(ctx context.Context, deviceID string) (*store.DeviceCredential, error) {
	var d store.DeviceCredential
	err := s.pool.QueryRow(ctx, `SELECT device_id, token_hash, cameras, revoked, created_at, public_key FROM device_credentials WHERE device_id = $1`, deviceID).
		Scan(&d.DeviceID, &d.TokenHash, &d.Cameras, &d.Revoked, &d.CreatedAt, &d.PublicKey)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: get device credential %q: %w", deviceID, err)
	}
	d.CreatedAt = utc(d.CreatedAt)
	return &d, nil
}

// RevokeDeviceCredential implements store.Auth.
func (s *Store) RevokeDeviceCredential(ctx context.Context, deviceID string) error {
	tag, err := s.pool.Exec(ctx, `UPDATE device_credentials SET revoked = TRUE WHERE device_id = $1`, deviceID)
	if err != nil {
		return fmt.Errorf("postgres: revoke device %q: %w", deviceID, err)
	}
	if tag.RowsAffected() == 0 {
		return store.ErrNotFound
	}
	return nil
}

// keyArg is NULL for no key, not an empty bytea.
func keyArg(k []byte) any {
	if len(k) == 0 {
		return nil
	}
	return k
}

// PinDeviceKey implements store.Auth.
func (s *Store) PinDeviceKey(ctx context.Context, deviceID string, key []byte) ([]byte, error) {
	var pinned []byte
	err := s.pool.QueryRow(ctx, `UPDATE device_credentials SET public_key = COALESCE(public_key, $1)
		WHERE device_id = $2 RETURNING public_key`, keyArg(key), deviceID).Scan(&pinned)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: pin key of device %q: %w", deviceID, err)
	}
	return pinned, nil
}

// SetDeviceKey implements store.Auth.
func (s *Store) SetDeviceKey(ctx context.Context, deviceID string, key []byte) error {
	tag, err := s.pool.Exec(ctx, `UPDATE device_credentials SET public_key = $1 WHERE device_id = $2`, keyArg(key), deviceID)
	if err != nil {
		return fmt.Errorf("postgres: set key of device %q: %w", deviceID, err)
	}
	if tag.RowsAffected() == 0 {
		return store.ErrNotFound
	}
	return nil
}
