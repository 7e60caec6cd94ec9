package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/xiuhua/xiuhua/server/store"
)

func now0(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now()
	}
	return t
}

// CreateUser implements store.Auth.
func (s *Store) CreateUser(ctx context.Context, u *store.User) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO users (name, role, password_hash, disabled, created_at) VALUES ($1, $2, $3, $4, $5)`,
		u.Name, u.Role, u.PasswordHash, u.Disabled, now0(u.CreatedAt))
	if isUniqueViolation(err) {
		return fmt.Errorf("user %q: %w", u.Name, store.ErrExists)
	}
	if err != nil {
		return fmt.Errorf("postgres: create user %q: %w", u.Name, err)
	}
	return nil
}

// GetUser implements store.Auth.
func (s *Store) GetUser(ctx context.Context, name string) (*store.User, error) {
	var u store.User
	err := s.pool.QueryRow(ctx, `SELECT name, role, password_hash, disabled, created_at FROM users WHERE name = $1`, name).
		Scan(&u.Name, &u.Role, &u.PasswordHash, &u.Disabled, &u.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: get user %q: %w", name, err)
	}
	u.CreatedAt = utc(u.CreatedAt)
	return &u, nil
}

// CountUsers implements store.Auth.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: count users: %w", err)
	}
	return n, nil
}

// CreateSession implements store.Auth.
func (s *Store) CreateSession(ctx context.Context, ss *store.Session) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO sessions (id_hash, user_name, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		ss.IDHash, ss.UserName, ss.CSRFToken, now0(ss.CreatedAt), ss.ExpiresAt)
	if isUniqueViolation(err) {
		return fmt.Errorf("session: %w", store.ErrExists)
	}
	if err != nil {
		return fmt.Errorf("postgres: create session of %q: %w", ss.UserName, err)
	}
	return nil
}

// GetSession implements store.Auth.
func (s *Store) GetSession(ctx context.Context, idHash string) (*store.Session, error) {
	var ss store.Session
	err := s.pool.QueryRow(ctx, `SELECT id_hash, user_name, csrf_token, created_at, expires_at FROM sessions WHERE id_hash = $1`, idHash).
		Scan(&ss.IDHash, &ss.UserName, &ss.CSRFToken, &ss.CreatedAt, &ss.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: get session: %w", err)
	}
	ss.CreatedAt, ss.ExpiresAt = utc(ss.CreatedAt), utc(ss.ExpiresAt)
	return &ss, nil
}

// DeleteSession implements store.Auth.
func (s *Store) DeleteSession(ctx context.Context, idHash string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE id_hash = $1`, idHash); err != nil {
		return fmt.Errorf("postgres: delete session: %w", err)
	}
	return nil
}

// DeleteExpiredSessions implements store.Auth.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE expires_at < $1`, now)
	if err != nil {
		return 0, fmt.Errorf("postgres: delete expired sessions: %w", err)
	}
	return tag.RowsAffected(), nil
}

// CreateAPIToken implements store.Auth.
func (s *Store) CreateAPIToken(ctx context.Context, t *store.APIToken) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO api_tokens (hash, name, role, created_by, created_at, revoked) VALUES ($1, $2, $3, $4, $5, $6)`,
		t.Hash, t.Name, t.Role, t.CreatedBy, now0(t.CreatedAt), t.Revoked)
	if isUniqueViolation(err) {
		return fmt.Errorf("api token %q: %w", t.Name, store.ErrExists)
	}
	if err != nil {
		return fmt.Errorf("postgres: create api token %q: %w", t.Name, err)
	}
	return nil
}

// GetAPIToken implements store.Auth.
func (s *Store) GetAPIToken(ctx context.Context, hash string) (*store.APIToken, error) {
	var t store.APIToken
	err := s.pool.QueryRow(ctx, `SELECT hash, name, role, created_by, created_at, revoked FROM api_tokens WHERE hash = $1`, hash).
		Scan(&t.Hash, &t.Name, &t.Role, &t.CreatedBy, &t.CreatedAt, &t.Revoked)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: get api token: %w", err)
	}
	t.CreatedAt = utc(t.CreatedAt)
	return &t, nil
}

// PutDeviceCredential implements store.Auth.
func (s *Store) PutDeviceCredential(ctx context.Context, d *store.DeviceCredential) error {
	cams := d.Cameras
	if cams == nil {
		cams = []string{}
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO device_credentials (device_id, token_hash, cameras, revoked, created_at)
		VALUES ($1, $2, $3, FALSE, $4)
		ON CONFLICT (device_id) DO UPDATE SET token_hash = excluded.token_hash, cameras = excluded.cameras, revoked = FALSE`,
		d.DeviceID, d.TokenHash, cams, now0(d.CreatedAt))
	if err != nil {
		return fmt.Errorf("postgres: put device credential %q: %w", d.DeviceID, err)
	}
	return nil
}

// GetDeviceCredential implements store.Auth.
func (s *Store) GetDeviceCredential(ctx context.Context, deviceID string) (*store.DeviceCredential, error) {
	var d store.DeviceCredential
	err := s.pool.QueryRow(ctx, `SELECT device_id, token_hash, cameras, revoked, created_at FROM device_credentials WHERE device_id = $1`, deviceID).
		Scan(&d.DeviceID, &d.TokenHash, &d.Cameras, &d.Revoked, &d.CreatedAt)
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
