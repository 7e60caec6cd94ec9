package auth

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"google.golang.org/grpc/codes"

	"github.com/xiuhua/xiuhua/internal/rpcerr"
	"github.com/xiuhua/xiuhua/server/store"
)

// Key pinning modes (config auth.device_keys).
const (
	// KeysFirstHello pins the key a registered device sends in its first
	// Hello (trust on first use).
	KeysFirstHello = "first_hello"
	// KeysAdd needs the key at `server device add -public-key` (or
	// `server device rekey`): a Hello with no key pinned is refused.
	KeysAdd = "add"
)

// ErrNoKeyPinned: with auth.device_keys add, a device without a pinned key.
var ErrNoKeyPinned = errors.New("no public key pinned")

func keyErr(msg string) error {
	return rpcerr.New(codes.Unauthenticated, rpcerr.ReasonDeviceKey, msg).Err()
}

// CheckKey checks the public key a device sent in its Hello against the key
// pinned for it, pinning this one when none is and the mode allows. Once a
// key is pinned, a Hello with another key or none is refused: a copied
// token alone cannot sign reports as the box. Open mode checks nothing.
func (a *DeviceAuth) CheckKey(ctx context.Context, deviceID string, key []byte) error {
	if a.Open {
		return nil
	}
	if len(key) != ed25519.PublicKeySize {
		return keyErr("device " + quote(deviceID) + " sent no Ed25519 public key in its Hello")
	}
	cred, err := a.Store.GetDeviceCredential(ctx, deviceID)
	if err != nil {
		return rpcerr.New(codes.Unavailable, rpcerr.ReasonServerStorage, "device registry unavailable; try again later").Err()
	}
	pinned := cred.PublicKey
	if pinned == nil {
		if a.Keys == KeysAdd {
			return keyErr("device " + quote(deviceID) + " has no public key pinned: run server device rekey -public-key FILE " + deviceID)
		}
		if pinned, err = a.Store.PinDeviceKey(ctx, deviceID, key); err != nil {
			return rpcerr.New(codes.Unavailable, rpcerr.ReasonServerStorage, "device registry unavailable; try again later").Err()
		}
		if bytes.Equal(pinned, key) && a.Log != nil {
			a.Log.Info("device key pinned at first Hello", "device_id", deviceID, "key", KeyFingerprint(key))
		}
	}
	if !bytes.Equal(pinned, key) {
		return keyErr("device " + quote(deviceID) + " sent public key " + KeyFingerprint(key) + ", not the pinned " +
			KeyFingerprint(pinned) + ": for a replaced box run server device rekey " + deviceID)
	}
	return nil
}

// PinnedKey returns the key deviceID's reports must be signed with, and
// whether the registry decides (token mode): then a nil key means none
// pinned yet. In open mode it returns false and the caller falls back to
// the key of the device's latest Hello.
func (a *DeviceAuth) PinnedKey(ctx context.Context, deviceID string) ([]byte, bool, error) {
	if a.Open {
		return nil, false, nil
	}
	cred, err := a.Store.GetDeviceCredential(ctx, deviceID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, true, nil
	}
	if err != nil {
		return nil, true, err
	}
	return cred.PublicKey, true, nil
}

// KeyFingerprint is a short, printable name of a key for logs and
// messages: the first 12 characters of its base64.
func KeyFingerprint(k []byte) string {
	if len(k) == 0 {
		return "(none)"
	}
	s := base64.RawStdEncoding.EncodeToString(k)
	return s[:min(12, len(s))]
}

// ParsePublicKey reads an Ed25519 public key as `openssl pkey -pubout`
// writes it (PEM "PUBLIC KEY"), or as the base64 of its 32 bytes.
func ParsePublicKey(b []byte) (ed25519.PublicKey, error) {
	if blk, _ := pem.Decode(b); blk != nil {
		if blk.Type != "PUBLIC KEY" {
			return nil, fmt.Errorf("public key: PEM block %q, want PUBLIC KEY (openssl pkey -in key.pem -pubout)", blk.Type)
		}
		k, err := x509.ParsePKIXPublicKey(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("public key: %w", err)
		}
		pub, ok := k.(ed25519.PublicKey)
		if !ok {
			return nil, fmt.Errorf("public key: %T, want Ed25519", k)
		}
		return pub, nil
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(raw) != ed25519.PublicKeySize {
		return nil, errors.New("public key: want a PEM PUBLIC KEY (openssl pkey -in key.pem -pubout) or the base64 of 32 bytes")
	}
	return ed25519.PublicKey(raw), nil
}
