package auth

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/internal/logtest"
	"github.com/xiuhua/xiuhua/server/store"
)

// TestLoginBackoff: past the free failures, each one doubles the wait; a
// try within the wait is refused even with the right password and says
// until when; after it, the right password works and clears the count.
func TestLoginBackoff(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	svc, _ := newService(t, &now)
	require.NoError(t, svc.AddUser(ctx, "li", "reviewer", "correct horse battery"))
	const addr = "203.0.113.7"

	for range DefaultMaxFailedLogins {
		_, _, err := svc.LoginFrom(ctx, "li", "guess", addr)
		require.ErrorIs(t, err, ErrBadLogin)
		var te *ThrottledError
		require.False(t, errors.As(err, &te), "free failures set no wait")
	}
	for i, want := range []time.Duration{DefaultLoginBackoff, 2 * DefaultLoginBackoff, 4 * DefaultLoginBackoff} {
		_, _, err := svc.LoginFrom(ctx, "li", "guess", addr)
		var te *ThrottledError
		require.ErrorAs(t, err, &te, "failure %d past the free ones", i+1)
		require.ErrorIs(t, err, ErrBadLogin)
		require.Equal(t, now.Add(want), te.Until)
		_, _, err = svc.LoginFrom(ctx, "li", "correct horse battery", addr)
		require.ErrorAs(t, err, &te, "within the wait even the right password is refused")
		now = te.Until
	}
	// The wait never grows past the lockout.
	for range 20 {
		_, _, err := svc.LoginFrom(ctx, "li", "guess", addr)
		var te *ThrottledError
		require.ErrorAs(t, err, &te)
		require.LessOrEqual(t, te.Until.Sub(now), DefaultLoginLockout)
		now = te.Until
	}

	// The same name from another address, and another name from this
	// one, are not held up: officers behind one proxy do not lock each
	// other out, and a guesser does not lock the admin out of their desk.
	_, _, err := svc.LoginFrom(ctx, "li", "correct horse battery", "198.51.100.2")
	require.NoError(t, err)
	require.NoError(t, svc.AddUser(ctx, "wang", "handler", "correct horse battery"))
	_, _, err = svc.LoginFrom(ctx, "wang", "correct horse battery", addr)
	require.NoError(t, err)

	// After the wait the right password works and clears the count.
	_, _, err = svc.LoginFrom(ctx, "li", "correct horse battery", addr)
	require.NoError(t, err)
	for range DefaultMaxFailedLogins {
		_, _, err := svc.LoginFrom(ctx, "li", "guess", addr)
		var te *ThrottledError
		require.False(t, errors.As(err, &te))
	}
}

// TestLoginBackoffUnknownNames: unknown names are counted like known ones,
// so that the wait tells nothing about which names exist, and what was
// typed as an unknown name is never logged as such.
func TestLoginBackoffUnknownNames(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	logs := &logtest.Buffer{}
	_, st := newService(t, &now)
	svc := New(Options{Store: st, Now: func() time.Time { return now }, Log: slog.New(slog.NewTextHandler(logs, nil))})
	for range DefaultMaxFailedLogins {
		_, _, err := svc.LoginFrom(ctx, "my-Secret-Passw0rd", "x", "203.0.113.7")
		require.ErrorIs(t, err, ErrBadLogin)
	}
	_, _, err := svc.LoginFrom(ctx, "my-Secret-Passw0rd", "x", "203.0.113.7")
	var te *ThrottledError
	require.ErrorAs(t, err, &te)
	require.NotContains(t, logs.String(), "my-Secret-Passw0rd")
	require.Contains(t, logs.String(), "user_sha256=")
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
