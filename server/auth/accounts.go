package auth

import (
	"context"
	"fmt"

	"github.com/xiuhua/xiuhua/server/store"
)

// DisableUser stops an account from signing in and ends its sessions at
// once; its name stays in the audit trail.
func (s *Service) DisableUser(ctx context.Context, name string) error {
	if err := s.st.SetUserDisabled(ctx, name, true); err != nil {
		return fmt.Errorf("disable user %q: %w", name, err)
	}
	s.log.Info("user disabled", "user", name)
	return nil
}

// EnableUser lets a disabled account sign in again.
func (s *Service) EnableUser(ctx context.Context, name string) error {
	if err := s.st.SetUserDisabled(ctx, name, false); err != nil {
		return fmt.Errorf("enable user %q: %w", name, err)
	}
	s.backoff.resetName(name)
	s.log.Info("user enabled", "user", name)
	return nil
}

// SetPassword replaces an account's password and ends its sessions.
func (s *Service) SetPassword(ctx context.Context, name, password string) error {
	h, err := hashPassword(password)
	if err != nil {
		return err
	}
	if err := s.st.SetUserPassword(ctx, name, h); err != nil {
		return fmt.Errorf("set password of %q: %w", name, err)
	}
	s.backoff.resetName(name)
	s.log.Info("password changed", "user", name)
	return nil
}

// RevokeAPIToken refuses every API token of that name from its next call
// on, and returns how many were still live.
func (s *Service) RevokeAPIToken(ctx context.Context, name string) (int64, error) {
	n, err := s.st.RevokeAPITokens(ctx, name)
	if err != nil {
		return 0, fmt.Errorf("revoke api token %q: %w", name, err)
	}
	s.log.Info("api token revoked", "name", name, "live", n)
	return n, nil
}

// SetUserUnit moves an account to a unit (its code; "" for none). The
// officer's sessions stay: the unit decides which cases they may take from
// their next step on.
func (s *Service) SetUserUnit(ctx context.Context, name, unit string) error {
	if err := s.st.SetUserUnit(ctx, name, unit); err != nil {
		return fmt.Errorf("set unit of %q: %w", name, err)
	}
	s.log.Info("user unit changed", "user", name, "unit", unit)
	return nil
}

// Users lists every account, by name.
func (s *Service) Users(ctx context.Context) ([]store.User, error) {
	us, err := s.st.ListUsers(ctx)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return us, nil
}
