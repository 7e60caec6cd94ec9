package auth

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/store"
	"github.com/xiuhua/xiuhua/server/store/sqlite"
)

func newService(t *testing.T, now *time.Time) (*Service, store.Store) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "xiuhua.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	return New(Options{Store: st, SessionTTL: time.Hour, Now: func() time.Time { return *now }}), st
}

func TestSessionLifecycle(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	svc, st := newService(t, &now)
	require.NoError(t, svc.AddUser(ctx, "li", "reviewer", "correct horse battery"))

	for _, tc := range []struct{ name, user, pw string }{
		{"wrong password", "li", "wrong horse battery"},
		{"unknown user", "zhang", "correct horse battery"},
		{"empty", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := svc.Login(ctx, tc.user, tc.pw)
			require.ErrorIs(t, err, ErrBadLogin)
		})
	}

	cookie, sess, err := svc.Login(ctx, "li", "correct horse battery")
	require.NoError(t, err)
	require.NotEqual(t, cookie, sess.IDHash, "the store keeps only the hash")
	got, err := st.GetSession(ctx, HashSecret(cookie))
	require.NoError(t, err)
	require.Equal(t, now.Add(time.Hour), got.ExpiresAt)

	p, err := svc.Session(ctx, cookie)
	require.NoError(t, err)
	require.Equal(t, "li", p.Name)
	require.Equal(t, "reviewer", p.Role)
	require.True(t, p.FromBrowser())
	require.Equal(t, sess.CSRFToken, p.CSRFToken)

	_, err = svc.Session(ctx, sess.IDHash)
	require.ErrorIs(t, err, ErrNoCredentials, "the stored hash is not a cookie")

	now = now.Add(time.Hour)
	_, err = svc.Session(ctx, cookie)
	require.ErrorIs(t, err, ErrExpired)
}

func TestAddUserRefuses(t *testing.T) {
	now := time.Now()
	svc, _ := newService(t, &now)
	ctx := context.Background()
	require.ErrorIs(t, svc.AddUser(ctx, "li", "mayor", "correct horse battery"), ErrInvalid)
	require.ErrorIs(t, svc.AddUser(ctx, "li li", "admin", "correct horse battery"), ErrInvalid)
	require.ErrorIs(t, svc.AddUser(ctx, "li", "admin", "short"), ErrWeakPassword)
	require.NoError(t, svc.AddUser(ctx, "li", "admin", "correct horse battery"))
	require.ErrorIs(t, svc.AddUser(ctx, "li", "admin", "correct horse battery"), store.ErrExists)
}

func TestBootstrap(t *testing.T) {
	now := time.Now()
	svc, _ := newService(t, &now)
	ctx := context.Background()
	created, pw, err := svc.Bootstrap(ctx, "admin", "")
	require.NoError(t, err)
	require.True(t, created)
	require.Len(t, pw, 20, "generated and returned to be printed once")
	_, _, err = svc.Login(ctx, "admin", pw)
	require.NoError(t, err)

	created, pw, err = svc.Bootstrap(ctx, "admin", "")
	require.NoError(t, err)
	require.False(t, created, "accounts exist: nothing to do")
	require.Empty(t, pw)
}

func TestDeviceOfToken(t *testing.T) {
	for _, tc := range []struct {
		tok, id string
		ok      bool
	}{
		{"xhd_edge-01.abc", "edge-01", true},
		{"xhd_edge.01.abc", "edge.01", true},
		{"xhd_.abc", "", false},
		{"xhd_edge-01.", "", false},
		{"xhd_edge-01", "", false},
		{"xha_edge-01.abc", "", false},
		{"", "", false},
	} {
		t.Run(tc.tok, func(t *testing.T) {
			id, ok := DeviceOfToken(tc.tok)
			require.Equal(t, tc.ok, ok)
			require.Equal(t, tc.id, id)
		})
	}
}

func TestAPITokenRevoked(t *testing.T) {
	now := time.Now()
	svc, st := newService(t, &now)
	ctx := context.Background()
	require.NoError(t, st.CreateAPIToken(ctx, &store.APIToken{Hash: HashSecret("xha_old"), Name: "old", Role: "admin", CreatedBy: "x", Revoked: true}))
	_, err := svc.Bearer(ctx, "xha_old")
	require.ErrorIs(t, err, ErrNoCredentials)
}
