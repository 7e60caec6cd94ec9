package sqlite

import (
	"context"
	"fmt"

	"github.com/xiuhua/xiuhua/server/store"
)

// RevokeAPITokens implements store.Auth.
func (s *Store) RevokeAPITokens(ctx context.Context, name string) (int64, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("sqlite: revoke api tokens %q: %w", name, err)
	}
	defer tx.Rollback()
	var total int64
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM api_tokens WHERE name = ?`, name).Scan(&total); err != nil {
		return 0, fmt.Errorf("sqlite: revoke api tokens %q: %w", name, err)
	}
	if total == 0 {
		return 0, fmt.Errorf("api token %q: %w", name, store.ErrNotFound)
	}
	res, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked = 1 WHERE name = ? AND revoked = 0`, name)
	if err != nil {
		return 0, fmt.Errorf("sqlite: revoke api tokens %q: %w", name, err)
	}
	n, _ := res.RowsAffected()
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("sqlite: revoke api tokens %q: %w", name, err)
	}
	return n, nil
}

// SetUserDisabled implements store.Auth.
func (s *Store) SetUserDisabled(ctx context.Context, name string, disabled bool) error {
	return s.updateUser(ctx, name, disabled, `UPDATE users SET disabled = ? WHERE name = ?`, disabled, name)
}

// SetUserPassword implements store.Auth.
func (s *Store) SetUserPassword(ctx context.Context, name, passwordHash string) error {
	return s.updateUser(ctx, name, true, `UPDATE users SET password_hash = ? WHERE name = ?`, passwordHash, name)
}

// updateUser runs one UPDATE of a user's row and, when endSessions, deletes
// the user's sessions in the same transaction.
func (s *Store) updateUser(ctx context.Context, name string, endSessions bool, query string, args ...any) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: update user %q: %w", name, err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("sqlite: update user %q: %w", name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("user %q: %w", name, store.ErrNotFound)
	}
	if endSessions {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_name = ?`, name); err != nil {
			return fmt.Errorf("sqlite: end sessions of %q: %w", name, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: update user %q: %w", name, err)
	}
	return nil
}
