// Package identity holds an edge box's Ed25519 key and signs violation
// reports with it; internal/reportsig says what the signature covers, for
// the edge and the server alike.
package identity

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/xiuhua/xiuhua/internal/durable"
	"github.com/xiuhua/xiuhua/internal/reportsig"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

const pemType = "PRIVATE KEY"

// Identity is an edge box's signing key. It is safe for concurrent use.
type Identity struct {
	priv ed25519.PrivateKey
}

// LoadOrCreate reads the key at path, or creates one there when the file does
// not exist. The key is a PKCS#8 PEM file ("PRIVATE KEY"), as written by
// `openssl genpkey -algorithm ed25519`. A new key is written atomically with
// mode 0600 (its folder is created with 0700) and never replaces a file that
// appears at path meanwhile: two processes starting at once end up with the
// same key.
//
// An existing key file that group or others may read or write is refused.
func LoadOrCreate(path string) (*Identity, error) {
	id, err := load(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return id, err
	}
	if err := create(path); err != nil {
		return nil, err
	}
	return load(path)
}

// New wraps an existing key; for tests and for keys kept elsewhere.
func New(priv ed25519.PrivateKey) *Identity {
	return &Identity{priv: priv}
}

// PublicKey is the key the server checks signatures with; it goes in Hello.
func (id *Identity) PublicKey() ed25519.PublicKey {
	return id.priv.Public().(ed25519.PublicKey)
}

// Sign sets report.Signature. Sign the report last: any later change to it
// breaks the signature.
func (id *Identity) Sign(report *xiuhuav1.ViolationReport) error {
	return reportsig.Sign(id.priv, report)
}

func load(path string) (*Identity, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("identity key: %w", err)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("identity key %s: mode %#o lets others read it: chmod 600 it", path, perm)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("identity key: %w", err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != pemType {
		return nil, fmt.Errorf("identity key %s: not a PEM %q block", path, pemType)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("identity key %s: %w", path, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("identity key %s: %T is not an Ed25519 key", path, k)
	}
	return &Identity{priv: priv}, nil
}

// create writes a new key to a temporary file, syncs it and links it to path:
// a link, unlike a rename, fails when path exists, so a key is never replaced.
func create(path string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("identity key folder: %w", err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return fmt.Errorf("generate identity key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return fmt.Errorf("encode identity key: %w", err)
	}
	f, err := os.CreateTemp(dir, ".identity-*.tmp") // mode 0600
	if err != nil {
		return fmt.Errorf("identity key: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := pem.Encode(f, &pem.Block{Type: pemType, Bytes: der}); err != nil {
		f.Close()
		return fmt.Errorf("write identity key: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write identity key: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write identity key: %w", err)
	}
	if err := os.Link(tmp, path); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("identity key: %w", err)
	}
	return durable.SyncDir(dir)
}
