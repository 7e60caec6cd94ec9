package auth

import (
	"errors"
	"fmt"

	"golang.org/x/crypto/bcrypt"
)

// MinPasswordLen is the shortest password accepted for an account.
const MinPasswordLen = 10

// ErrWeakPassword is returned for a password shorter than MinPasswordLen or
// longer than bcrypt takes (72 bytes).
var ErrWeakPassword = fmt.Errorf("password: must be %d to 72 bytes", MinPasswordLen)

// hashPassword hashes with bcrypt at its default cost (10): about 50 ms
// per sign-in on a small server, and slow enough for an offline attacker.
func hashPassword(pw string) (string, error) {
	if len(pw) < MinPasswordLen || len(pw) > 72 {
		return "", ErrWeakPassword
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.DefaultCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// checkPassword reports whether pw matches hash.
func checkPassword(hash, pw string) bool {
	err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw))
	return err == nil && !errors.Is(err, bcrypt.ErrMismatchedHashAndPassword)
}

// dummyHash is compared against when the user does not exist, so that a
// wrong name takes as long as a wrong password.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("xiuhua-no-such-user"), bcrypt.DefaultCost)
