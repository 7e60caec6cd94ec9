package storetest

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/store"
)

func testUsers(t *testing.T, s store.Store) {
	ctx := context.Background()
	n, err := s.CountUsers(ctx)
	require.NoError(t, err)
	require.Zero(t, n)
	u := &store.User{Name: "li", Role: "reviewer", PasswordHash: "$2a$10$x", CreatedAt: t0}
	require.NoError(t, s.CreateUser(ctx, u))
	require.ErrorIs(t, s.CreateUser(ctx, u), store.ErrExists)
	got, err := s.GetUser(ctx, "li")
	require.NoError(t, err)
	require.Equal(t, u, got)
	_, err = s.GetUser(ctx, "li' OR '1'='1")
	require.ErrorIs(t, err, store.ErrNotFound)
	n, err = s.CountUsers(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)
}

func testSessions(t *testing.T, s store.Store) {
	ctx := context.Background()
	require.NoError(t, s.CreateUser(ctx, &store.User{Name: "li", Role: "reviewer", PasswordHash: "h"}))
	live := &store.Session{IDHash: "a1", UserName: "li", CSRFToken: "c1", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
	old := &store.Session{IDHash: "b2", UserName: "li", CSRFToken: "c2", CreatedAt: t0.Add(-2 * time.Hour), ExpiresAt: t0.Add(-time.Hour)}
	require.NoError(t, s.CreateSession(ctx, live))
	require.NoError(t, s.CreateSession(ctx, old))
	require.ErrorIs(t, s.CreateSession(ctx, live), store.ErrExists)
	got, err := s.GetSession(ctx, "a1")
	require.NoError(t, err)
	require.Equal(t, live, got)
	// An expired session comes back as it is: the caller checks expiry.
	got, err = s.GetSession(ctx, "b2")
	require.NoError(t, err)
	require.Equal(t, old, got)

	n, err := s.DeleteExpiredSessions(ctx, t0)
	require.NoError(t, err)
	require.Equal(t, int64(1), n)
	_, err = s.GetSession(ctx, "b2")
	require.ErrorIs(t, err, store.ErrNotFound)

	require.NoError(t, s.DeleteSession(ctx, "a1"))
	require.NoError(t, s.DeleteSession(ctx, "a1"), "deleting twice is no error")
	_, err = s.GetSession(ctx, "a1")
	require.ErrorIs(t, err, store.ErrNotFound)
	// A session needs its user.
	require.Error(t, s.CreateSession(ctx, &store.Session{IDHash: "c3", UserName: "nobody", CSRFToken: "x", ExpiresAt: t0}))
}

func testAPITokens(t *testing.T, s store.Store) {
	ctx := context.Background()
	tok := &store.APIToken{Hash: "h1", Name: "platform", Role: "dispatcher", CreatedBy: "admin", CreatedAt: t0}
	require.NoError(t, s.CreateAPIToken(ctx, tok))
	require.ErrorIs(t, s.CreateAPIToken(ctx, tok), store.ErrExists)
	got, err := s.GetAPIToken(ctx, "h1")
	require.NoError(t, err)
	require.Equal(t, tok, got)
	_, err = s.GetAPIToken(ctx, "h2")
	require.ErrorIs(t, err, store.ErrNotFound)

	// Revoking by name reaches every token of that name, once.
	require.NoError(t, s.CreateAPIToken(ctx, &store.APIToken{Hash: "h3", Name: "platform", Role: "reviewer", CreatedBy: "admin", CreatedAt: t0}))
	require.NoError(t, s.CreateAPIToken(ctx, &store.APIToken{Hash: "h4", Name: "gis", Role: "reviewer", CreatedBy: "admin", CreatedAt: t0}))
	n, err := s.RevokeAPITokens(ctx, "platform")
	require.NoError(t, err)
	require.Equal(t, int64(2), n)
	n, err = s.RevokeAPITokens(ctx, "platform")
	require.NoError(t, err)
	require.Zero(t, n)
	for hash, revoked := range map[string]bool{"h1": true, "h3": true, "h4": false} {
		got, err := s.GetAPIToken(ctx, hash)
		require.NoError(t, err)
		require.Equal(t, revoked, got.Revoked, hash)
	}
	_, err = s.RevokeAPITokens(ctx, "x' OR '1'='1")
	require.ErrorIs(t, err, store.ErrNotFound)
}

func testUserChanges(t *testing.T, s store.Store) {
	ctx := context.Background()
	require.NoError(t, s.CreateUser(ctx, &store.User{Name: "li", Role: "reviewer", PasswordHash: "h0", CreatedAt: t0}))
	require.NoError(t, s.CreateUser(ctx, &store.User{Name: "wang", Role: "handler", PasswordHash: "w0", CreatedAt: t0}))
	for i, id := range []string{"s1", "s2"} {
		user := []string{"li", "wang"}[i]
		require.NoError(t, s.CreateSession(ctx, &store.Session{IDHash: id, UserName: user, CSRFToken: "c", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}))
	}

	require.NoError(t, s.SetUserPassword(ctx, "li", "h1"))
	u, err := s.GetUser(ctx, "li")
	require.NoError(t, err)
	require.Equal(t, "h1", u.PasswordHash)
	_, err = s.GetSession(ctx, "s1")
	require.ErrorIs(t, err, store.ErrNotFound, "a new password ends the user's sessions")
	_, err = s.GetSession(ctx, "s2")
	require.NoError(t, err, "and no one else's")

	require.NoError(t, s.SetUserDisabled(ctx, "wang", true))
	u, err = s.GetUser(ctx, "wang")
	require.NoError(t, err)
	require.True(t, u.Disabled)
	_, err = s.GetSession(ctx, "s2")
	require.ErrorIs(t, err, store.ErrNotFound)
	require.NoError(t, s.SetUserDisabled(ctx, "wang", false))
	u, err = s.GetUser(ctx, "wang")
	require.NoError(t, err)
	require.False(t, u.Disabled)

	require.ErrorIs(t, s.SetUserDisabled(ctx, "nobody", true), store.ErrNotFound)
	require.ErrorIs(t, s.SetUserPassword(ctx, "nobody", "x"), store.ErrNotFound)
}

func testDeviceCredentials(t *testing.T, s store.Store) {
	ctx := context.Background()
	_, err := s.GetDeviceCredential(ctx, "edge-01")
	require.ErrorIs(t, err, store.ErrNotFound)
	require.ErrorIs(t, s.RevokeDeviceCredential(ctx, "edge-01"), store.ErrNotFound)

	d := &store.DeviceCredential{DeviceID: "edge-01", TokenHash: "t1", Cameras: []string{"cam-7", "cam-8"}, CreatedAt: t0}
	require.NoError(t, s.PutDeviceCredential(ctx, d))
	got, err := s.GetDeviceCredential(ctx, "edge-01")
	require.NoError(t, err)
	require.Equal(t, d, got)

	require.NoError(t, s.RevokeDeviceCredential(ctx, "edge-01"))
	got, err = s.GetDeviceCredential(ctx, "edge-01")
	require.NoError(t, err)
	require.True(t, got.Revoked)

	// A new token un-revokes and replaces the camera list.
	require.NoError(t, s.PutDeviceCredential(ctx, &store.DeviceCredential{DeviceID: "edge-01", TokenHash: "t2", CreatedAt: t0}))
	got, err = s.GetDeviceCredential(ctx, "edge-01")
	require.NoError(t, err)
	require.False(t, got.Revoked)
	require.Equal(t, "t2", got.TokenHash)
	require.Empty(t, got.Cameras)
	require.Equal(t, t0, got.CreatedAt, "re-registering keeps the first registration time")
}

func testDeviceKeys(t *testing.T, s store.Store) {
	ctx := context.Background()
	k1, k2 := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	_, err := s.PinDeviceKey(ctx, "edge-01", k1)
	require.ErrorIs(t, err, store.ErrNotFound)
	require.ErrorIs(t, s.SetDeviceKey(ctx, "edge-01", k1), store.ErrNotFound)

	require.NoError(t, s.PutDeviceCredential(ctx, &store.DeviceCredential{DeviceID: "edge-01", TokenHash: "t1", CreatedAt: t0}))
	got, err := s.GetDeviceCredential(ctx, "edge-01")
	require.NoError(t, err)
	require.Nil(t, got.PublicKey, "none pinned yet")

	// The first key pins; a second attempt gets the first key back.
	pinned, err := s.PinDeviceKey(ctx, "edge-01", k1)
	require.NoError(t, err)
	require.Equal(t, k1, pinned)
	pinned, err = s.PinDeviceKey(ctx, "edge-01", k2)
	require.NoError(t, err)
	require.Equal(t, k1, pinned)
	got, err = s.GetDeviceCredential(ctx, "edge-01")
	require.NoError(t, err)
	require.Equal(t, k1, got.PublicKey)

	// A new token keeps the pin; a key given with it replaces it.
	require.NoError(t, s.PutDeviceCredential(ctx, &store.DeviceCredential{DeviceID: "edge-01", TokenHash: "t2", CreatedAt: t0}))
	got, err = s.GetDeviceCredential(ctx, "edge-01")
	require.NoError(t, err)
	require.Equal(t, k1, got.PublicKey)
	require.NoError(t, s.PutDeviceCredential(ctx, &store.DeviceCredential{DeviceID: "edge-01", TokenHash: "t3", CreatedAt: t0, PublicKey: k2}))
	got, err = s.GetDeviceCredential(ctx, "edge-01")
	require.NoError(t, err)
	require.Equal(t, k2, got.PublicKey)

	// Rekey: replace, or unpin so that the next Hello pins.
	require.NoError(t, s.SetDeviceKey(ctx, "edge-01", k1))
	got, err = s.GetDeviceCredential(ctx, "edge-01")
	require.NoError(t, err)
	require.Equal(t, k1, got.PublicKey)
	require.NoError(t, s.SetDeviceKey(ctx, "edge-01", nil))
	got, err = s.GetDeviceCredential(ctx, "edge-01")
	require.NoError(t, err)
	require.Nil(t, got.PublicKey)
	pinned, err = s.PinDeviceKey(ctx, "edge-01", k2)
	require.NoError(t, err)
	require.Equal(t, k2, pinned)

	// Pinning nothing pins nothing.
	require.NoError(t, s.PutDeviceCredential(ctx, &store.DeviceCredential{DeviceID: "edge-02", TokenHash: "t4", CreatedAt: t0}))
	pinned, err = s.PinDeviceKey(ctx, "edge-02", nil)
	require.NoError(t, err)
	require.Nil(t, pinned)
}
