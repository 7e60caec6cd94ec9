package auth

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/store"
)

func TestLoginLockout(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	svc, _ := newService(t, &now)
	require.NoError(t, svc.AddUser(ctx, "li", "reviewer", "correct horse battery"))

	for range DefaultMaxFailedLogins {
		_, _, err := svc.Login(ctx, "li", "guess")
		require.ErrorIs(t, err, ErrBadLogin)
	}
	_, _, err := svc.Login(ctx, "li", "correct horse battery")
	require.ErrorIs(t, err, ErrBadLogin, "locked out: even the right password is refused")

	// Another name is not affected.
	require.NoError(t, svc.AddUser(ctx, "wang", "handler", "correct horse battery"))
	_, _, err = svc.Login(ctx, "wang", "correct horse battery")
	require.NoError(t, err)

	now = now.Add(DefaultLoginLockout)
	_, _, err = svc.Login(ctx, "li", "correct horse battery")
	require.NoError(t, err, "the lockout ends after the window")

	// A success clears the count: four more failures do not lock.
	for range DefaultMaxFailedLogins - 1 {
		_, _, err := svc.Login(ctx, "li", "guess")
		require.ErrorIs(t, err, ErrBadLogin)
	}
	_, _, err = svc.Login(ctx, "li", "correct horse battery")
	require.NoError(t, err)
}

func TestDisableEnableAndPassword(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	svc, _ := newService(t, &now)
	require.NoError(t, svc.AddUser(ctx, "li", "reviewer", "correct horse battery"))
	cookie, _, err := svc.Login(ctx, "li", "correct horse battery")
	require.NoError(t, err)

	require.NoError(t, svc.DisableUser(ctx, "li"))
	_, err = svc.Session(ctx, cookie)
	require.ErrorIs(t, err, ErrNoCredentials, "a disabled account's session ends at once")
	_, _, err = svc.Login(ctx, "li", "correct horse battery")
	require.ErrorIs(t, err, ErrBadLogin)

	require.NoError(t, svc.EnableUser(ctx, "li"))
	cookie, _, err = svc.Login(ctx, "li", "correct horse battery")
	require.NoError(t, err)

	require.NoError(t, svc.SetPassword(ctx, "li", "staple battery horse"))
	_, err = svc.Session(ctx, cookie)
	require.ErrorIs(t, err, ErrNoCredentials, "a password change ends the sessions")
	_, _, err = svc.Login(ctx, "li", "correct horse battery")
	require.ErrorIs(t, err, ErrBadLogin)
	_, _, err = svc.Login(ctx, "li", "staple battery horse")
	require.NoError(t, err)

	require.ErrorIs(t, svc.DisableUser(ctx, "nobody"), store.ErrNotFound)
	require.ErrorIs(t, svc.SetPassword(ctx, "li", "short"), ErrWeakPassword)
}

func TestRevokeAPIToken(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	svc, _ := newService(t, &now)
	tok, err := svc.AddAPIToken(ctx, "gis", "reviewer", "admin")
	require.NoError(t, err)
	p, err := svc.Bearer(ctx, tok)
	require.NoError(t, err)
	require.Equal(t, "token:gis", p.Name)

	n, err := svc.RevokeAPIToken(ctx, "gis")
	require.NoError(t, err)
	require.Equal(t, int64(1), n)
	_, err = svc.Bearer(ctx, tok)
	require.ErrorIs(t, err, ErrNoCredentials)
	n, err = svc.RevokeAPIToken(ctx, "gis")
	require.NoError(t, err, "revoking again is fine")
	require.Zero(t, n)
	_, err = svc.RevokeAPIToken(ctx, "nobody")
	require.ErrorIs(t, err, store.ErrNotFound)
}

// One address trying one password on many names is stopped too, while
// another address is not, and a name's own count stays its own.
func TestLoginLockoutPerAddress(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	svc, _ := newService(t, &now)
	require.NoError(t, svc.AddUser(ctx, "li", "reviewer", "correct horse battery"))

	limit := AddrFailuresPerName * DefaultMaxFailedLogins
	for i := range limit {
		_, _, err := svc.LoginFrom(ctx, fmt.Sprintf("guess%d", i), "password123", "203.0.113.7")
		require.ErrorIs(t, err, ErrBadLogin)
	}
	_, _, err := svc.LoginFrom(ctx, "li", "correct horse battery", "203.0.113.7")
	require.ErrorIs(t, err, ErrBadLogin, "the address is locked, whatever the name")
	_, _, err = svc.LoginFrom(ctx, "li", "correct horse battery", "198.51.100.2")
	require.NoError(t, err, "another address signs in")

	// A success does not clear the address's count.
	now = now.Add(DefaultLoginLockout - time.Minute)
	_, _, err = svc.LoginFrom(ctx, "li", "correct horse battery", "203.0.113.7")
	require.ErrorIs(t, err, ErrBadLogin)
	now = now.Add(2 * time.Minute)
	_, _, err = svc.LoginFrom(ctx, "li", "correct horse battery", "203.0.113.7")
	require.NoError(t, err, "the address's lockout ends after the window")
}
