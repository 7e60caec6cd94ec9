package auth

import (
	"context"
	"errors"
	"fmt"

	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/store"
)

// Bootstrap makes the first admin when there are no accounts yet, so that
// a fresh server can be signed in to. With password empty it generates one
// and returns it, to be printed once; otherwise it returns "". With
// accounts already present it does nothing: the password of an existing
// admin is never changed behind the operator's back.
func (s *Service) Bootstrap(ctx context.Context, name, password string) (created bool, generated string, err error) {
	n, err := s.st.CountUsers(ctx)
	if err != nil {
		return false, "", fmt.Errorf("bootstrap admin: %w", err)
	}
	if n > 0 {
		return false, "", nil
	}
	if password == "" {
		generated = NewSecret("")[:20]
		password = generated
	}
	err = s.AddUser(ctx, name, cases.RoleAdmin, password)
	if errors.Is(err, store.ErrExists) {
		return false, "", nil // another replica made it first
	}
	if err != nil {
		return false, "", fmt.Errorf("bootstrap admin %q: %w", name, err)
	}
	s.log.Info("first admin created", "user", name, "password_generated", generated != "")
	return true, generated, nil
}
