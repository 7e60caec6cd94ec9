package auth

import (
	"bytes"
	"context"
	"errors"

	"github.com/xiuhua/xiuhua/server/store"
)

// Reauthorize checks again that the caller of a long-lived stream (the
// control stream) is still what authenticate let in: not revoked, its
// token not replaced by a newer `server device add`, and, when helloKey is
// given, its key still the one pinned. The stream calls it on every
// heartbeat and before it acts on what the device sends, so that a
// revoked box loses its stream within one heartbeat instead of keeping it
// until it reconnects.
//
// A database that cannot answer is not a revocation: the stream stays, and
// the next heartbeat asks again.
func (a *DeviceAuth) Reauthorize(ctx context.Context, helloKey []byte) error {
	if a.Open {
		return nil
	}
	d, _ := ctx.Value(deviceKey{}).(*device)
	if d == nil {
		return credsErr("not authenticated")
	}
	cred, err := a.Store.GetDeviceCredential(ctx, d.id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return credsErr("device " + quote(d.id) + " is no longer registered")
	case err != nil:
		if a.Log != nil {
			a.Log.Warn("re-checking a device's credentials", "device_id", d.id, "err", err)
		}
		return nil
	case cred.Revoked:
		return credsErr("device " + quote(d.id) + " is revoked")
	case cred.TokenHash != d.tokenHash:
		return credsErr("device " + quote(d.id) + " has a new token: this one no longer works")
	case helloKey != nil && !bytes.Equal(cred.PublicKey, helloKey):
		// Rekeyed to another key, or unpinned: the stream ends, and the
		// box's next Hello is checked (or pins) afresh.
		return keyErr("device " + quote(d.id) + " was rekeyed: its key is no longer " + KeyFingerprint(helloKey))
	}
	return nil
}
