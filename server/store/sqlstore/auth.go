package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/xiuhua/xiuhua/server/store"
)

// OrNow is t, or the current time for the zero time.
func OrNow(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now()
	}
	return t
}

// CreateUser implements store.Auth.
func (s *Store) CreateUser(ctx context.Context, u *store.User) error {
	_, err := s.db.Exec(ctx, `INSERT INTO users (name, role, password_hash, disabled, created_at, unit) VALUES ($1, $2, $3, $4, $5, $6)`,
		u.Name, u.Role, u.PasswordHash, u.Disabled, OrNow(u.CreatedAt), u.Unit)
	if s.dialect.IsUnique(err) {
		return fmt.Errorf("user %q: %w", u.Name, store.ErrExists)
	}
	if err != nil {
		return s.errorf("create user %q: %w", u.Name, err)
	}
	return nil
}

// GetUser implements store.Auth.
func (s *Store) GetUser(ctx context.Context, name string) (*store.User, error) {
	u, err := scanUser(s.db.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE name = $1`, name))
	if errors.Is(err, ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, s.errorf("get user %q: %w", name, err)
	}
	return &u, nil
}

const userColumns = `name, role, password_hash, disabled, created_at, unit`

func scanUser(row Row) (store.User, error) {
	var u store.User
	err := row.Scan(&u.Name, &u.Role, &u.PasswordHash, &u.Disabled, &u.CreatedAt, &u.Unit)
	return u, err
}

// ListUsers implements store.Auth.
func (s *Store) ListUsers(ctx context.Context) ([]store.User, error) {
	us, err := queryAll(ctx, s.db, scanUser, `SELECT `+userColumns+` FROM users ORDER BY name`)
	if err != nil {
		return nil, s.errorf("list users: %w", err)
	}
	return us, nil
}

// SetUserUnit implements store.Auth. Sessions stay: the unit changes which
// cases the officer may take from the next step on, not who they are.
func (s *Store) SetUserUnit(ctx context.Context, name, unit string) error {
	return s.updateUser(ctx, name, false, `UPDATE users SET unit = $1 WHERE name = $2`, unit, name)
}

// CountUsers implements store.Auth.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		return 0, s.errorf("count users: %w", err)
	}
	return n, nil
}

// SetUserDisabled implements store.Auth.
func (s *Store) SetUserDisabled(ctx context.Context, name string, disabled bool) error {
	return s.updateUser(ctx, name, disabled, `UPDATE users SET disabled = $1 WHERE name = $2`, disabled, name)
}

// SetUserPassword implements store.Auth.
func (s *Store) SetUserPassword(ctx context.Context, name, passwordHash string) error {
	return s.updateUser(ctx, name, true, `UPDATE users SET password_hash = $1 WHERE name = $2`, passwordHash, name)
}

// updateUser runs one UPDATE of a user's row and, when endSessions, deletes
// the user's sessions in the same transaction.
func (s *Store) updateUser(ctx context.Context, name string, endSessions bool, query string, args ...any) error {
	err := s.db.InTx(ctx, func(tx Querier) error {
		n, err := tx.Exec(ctx, query, args...)
		if err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("user %q: %w", name, store.ErrNotFound)
		}
		if endSessions {
			if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_name = $1`, name); err != nil {
				return fmt.Errorf("end sessions: %w", err)
			}
		}
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return err
	}
	if err != nil {
		return s.errorf("update user %q: %w", name, err)
	}
	return nil
}

// CreateSession implements store.Auth.
func (s *Store) CreateSession(ctx context.Context, ss *store.Session) error {
	_, err := s.db.Exec(ctx, `INSERT INTO sessions (id_hash, user_name, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		ss.IDHash, ss.UserName, ss.CSRFToken, OrNow(ss.CreatedAt), ss.ExpiresAt)
	if s.dialect.IsUnique(err) {
		return fmt.Errorf("session: %w", store.ErrExists)
	}
	if err != nil {
		return s.errorf("create session of %q: %w", ss.UserName, err)
	}
	return nil
}

// GetSession implements store.Auth.
func (s *Store) GetSession(ctx context.Context, idHash string) (*store.Session, error) {
	var ss store.Session
	err := s.db.QueryRow(ctx, `SELECT id_hash, user_name, csrf_token, created_at, expires_at FROM sessions WHERE id_hash = $1`, idHash).
		Scan(&ss.IDHash, &ss.UserName, &ss.CSRFToken, &ss.CreatedAt, &ss.ExpiresAt)
	if errors.Is(err, ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, s.errorf("get session: %w", err)
	}
	return &ss, nil
}

// DeleteSession implements store.Auth.
func (s *Store) DeleteSession(ctx context.Context, idHash string) error {
	if _, err := s.db.Exec(ctx, `DELETE FROM sessions WHERE id_hash = $1`, idHash); err != nil {
		return s.errorf("delete session: %w", err)
	}
	return nil
}

// DeleteExpiredSessions implements store.Auth.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	n, err := s.db.Exec(ctx, `DELETE FROM sessions WHERE expires_at < $1`, now)
	if err != nil {
		return 0, s.errorf("delete expired sessions: %w", err)
	}
	return n, nil
}

// CreateAPIToken implements store.Auth.
func (s *Store) CreateAPIToken(ctx context.Context, t *store.APIToken) error {
	_, err := s.db.Exec(ctx, `INSERT INTO api_tokens (hash, name, role, created_by, created_at, revoked) VALUES ($1, $2, $3, $4, $5, $6)`,
		t.Hash, t.Name, t.Role, t.CreatedBy, OrNow(t.CreatedAt), t.Revoked)
	if s.dialect.IsUnique(err) {
		return fmt.Errorf("api token %q: %w", t.Name, store.ErrExists)
	}
	if err != nil {
		return s.errorf("create api token %q: %w", t.Name, err)
	}
	return nil
}

// GetAPIToken implements store.Auth.
func (s *Store) GetAPIToken(ctx context.Context, hash string) (*store.APIToken, error) {
	var t store.APIToken
	err := s.db.QueryRow(ctx, `SELECT hash, name, role, created_by, created_at, revoked FROM api_tokens WHERE hash = $1`, hash).
		Scan(&t.Hash, &t.Name, &t.Role, &t.CreatedBy, &t.CreatedAt, &t.Revoked)
	if errors.Is(err, ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, s.errorf("get api token: %w", err)
	}
	return &t, nil
}

// RevokeAPITokens implements store.Auth. The flag is a parameter: SQLite
// keeps it as 0/1, PostgreSQL as boolean.
func (s *Store) RevokeAPITokens(ctx context.Context, name string) (int64, error) {
	var n int64
	err := s.db.InTx(ctx, func(tx Querier) error {
		var total int64
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM api_tokens WHERE name = $1`, name).Scan(&total); err != nil {
			return err
		}
		if total == 0 {
			return fmt.Errorf("api token %q: %w", name, store.ErrNotFound)
		}
		var err error
		n, err = tx.Exec(ctx, `UPDATE api_tokens SET revoked = $2 WHERE name = $1 AND revoked = $3`, name, true, false)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return 0, err
	}
	if err != nil {
		return 0, s.errorf("revoke api tokens %q: %w", name, err)
	}
	return n, nil
}
