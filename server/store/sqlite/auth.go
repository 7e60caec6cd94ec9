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

// isUnique reports a PRIMARY KEY or UNIQUE clash; the driver's error text
// is the stable part of its API for this.
func isUnique(err error) bool {
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

func now0(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now()
	}
	return t
}

// CreateUser implements store.Auth.
func (s *Store) CreateUser(ctx context.Context, u *store.User) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO users (name, role, password_hash, disabled, created_at) VALUES (?, ?, ?, ?, ?)`,
		u.Name, u.Role, u.PasswordHash, u.Disabled, formatTime(now0(u.CreatedAt)))
	if isUnique(err) {
		return fmt.Errorf("user %q: %w", u.Name, store.ErrExists)
	}
	if err != nil {
		return fmt.Errorf("sqlite: create user %q: %w", u.Name, err)
	}
	return nil
}

// GetUser implements store.Auth.
func (s *Store) GetUser(ctx context.Context, name string) (*store.User, error) {
	var (
		u       store.User
		created string
	)
	err := s.db.QueryRowContext(ctx, `SELECT name, role, password_hash, disabled, created_at FROM users WHERE name = ?`, name).
		Scan(&u.Name, &u.Role, &u.PasswordHash, &u.Disabled, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: get user %q: %w", name, err)
	}
	if u.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	return &u, nil
}

// CountUsers implements store.Auth.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: count users: %w", err)
	}
	return n, nil
}

// CreateSession implements store.Auth.
func (s *Store) CreateSession(ctx context.Context, ss *store.Session) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO sessions (id_hash, user_name, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		ss.IDHash, ss.UserName, ss.CSRFToken, formatTime(now0(ss.CreatedAt)), formatTime(ss.ExpiresAt))
	if isUnique(err) {
		return fmt.Errorf("session: %w", store.ErrExists)
	}
	if err != nil {
		return fmt.Errorf("sqlite: create session of %q: %w", ss.UserName, err)
	}
	return nil
}

// GetSession implements store.Auth.
func (s *Store) GetSession(ctx context.Context, idHash string) (*store.Session, error) {
	var (
		ss               store.Session
		created, expires string
	)
	err := s.db.QueryRowContext(ctx, `SELECT id_hash, user_name, csrf_token, created_at, expires_at FROM sessions WHERE id_hash = ?`, idHash).
		Scan(&ss.IDHash, &ss.UserName, &ss.CSRFToken, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: get session: %w", err)
	}
	if ss.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if ss.ExpiresAt, err = parseTime(expires); err != nil {
		return nil, err
	}
	return &ss, nil
}

// DeleteSession implements store.Auth.
func (s *Store) DeleteSession(ctx context.Context, idHash string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = ?`, idHash); err != nil {
		return fmt.Errorf("sqlite: delete session: %w", err)
	}
	return nil
}

// DeleteExpiredSessions implements store.Auth. Times are stored as
// fixed-width UTC text, so they compare as strings.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < ?`, formatTime(now))
	if err != nil {
		return 0, fmt.Errorf("sqlite: delete expired sessions: %w", err)
	}
	return res.RowsAffected()
}

// CreateAPIToken implements store.Auth.
func (s *Store) CreateAPIToken(ctx context.Context, t *store.APIToken) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO api_tokens (hash, name, role, created_by, created_at, revoked) VALUES (?, ?, ?, ?, ?, ?)`,
		t.Hash, t.Name, t.Role, t.CreatedBy, formatTime(now0(t.CreatedAt)), t.Revoked)
	if isUnique(err) {
		return fmt.Errorf("api token %q: %w", t.Name, store.ErrExists)
	}
	if err != nil {
		return fmt.Errorf("sqlite: create api token %q: %w", t.Name, err)
	}
	return nil
}

// GetAPIToken implements store.Auth.
func (s *Store) GetAPIToken(ctx context.Context, hash string) (*store.APIToken, error) {
	var (
		t       store.APIToken
		created string
	)
	err := s.db.QueryRowContext(ctx, `SELECT hash, name, role, created_by, created_at, revoked FROM api_tokens WHERE hash = ?`, hash).
		Scan(&t.Hash, &t.Name, &t.Role, &t.CreatedBy, &created, &t.Revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: get api token: %w", err)
	}
	if t.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	return &t, nil
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
	_, err = s.db.ExecContext(ctx, `INSERT INTO device_credentials (device_id, token_hash, cameras, revoked, created_at)
		VALUES (?, ?, ?, 0, ?)
		ON CONFLICT (device_id) DO UPDATE SET token_hash = excluded.token_hash, cameras = excluded.cameras, revoked = 0`,
		d.DeviceID, d.TokenHash, string(b), formatTime(now0(d.CreatedAt)))
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
	err := s.db.QueryRowContext(ctx, `SELECT device_id, token_hash, cameras, revoked, created_at FROM device_credentials WHERE device_id = ?`, deviceID).
		Scan(&d.DeviceID, &d.TokenHash, &cams, &d.Revoked, &created)
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
