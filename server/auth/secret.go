package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
)

// Token prefixes make a leaked secret recognisable (and greppable) for what
// it is.
const (
	PrefixSession = "xhs_"
	PrefixAPI     = "xha_"
	PrefixDevice  = "xhd_"
)

// NewSecret returns prefix and 32 random bytes, base64url: enough entropy
// that a plain sha256 (no salt, no stretching) is a safe thing to store.
func NewSecret(prefix string) string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand panics instead)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// HashSecret is what the store keeps of a token or session id.
func HashSecret(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// equal compares secrets in constant time.
func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// EqualSecret compares two secrets in constant time.
func EqualSecret(a, b string) bool { return equal(a, b) }
