package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/xiuhua/xiuhua/server/store"
)

// RevokeAPITokens implements store.Auth.
func (s *Store) RevokeAPITokens(ctx context.Context, name string) (int64, error) {
	var total, live int64
	err := s.pool.QueryRow(ctx, `WITH r AS (
		UPDATE api_tokens SET revoked = TRUE WHERE name = $1 AND NOT revoked RETURNING 1)
		SELECT (SELECT COUNT(*) FROM api_tokens WHERE name = $1), (SELECT COUNT(*) FROM r)`, name).Scan(&total, &live)
	if err != nil {
		return 0, fmt.Errorf("postgres: revoke api tokens %q: %w", name, err)
	}
	if total == 0 {
		return 0, fmt.Errorf("api token %q: %w", name, store.ErrNotFound)
	}
	return live, nil
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
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, query, args...)
		if err != nil {
			return fmt.Errorf("postgres: update user %q: %w", name, err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("user %q: %w", name, store.ErrNotFound)
		}
		if endSessions {
			if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_name = $1`, name); err != nil {
				return fmt.Errorf("postgres: end sessions of %q: %w", name, err)
			}
		}
		return nil
	})
}
