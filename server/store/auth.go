package store

import (
	"context"
	"errors"
	"time"
)

// ErrExists is returned when creating a user, token or session whose key is
// already taken.
var ErrExists = errors.New("store: already exists")

// Auth is the part of the store that knows who may do what: officer
// accounts, their sessions, API tokens for integrations, and the registry
// of edge devices with their tokens. Secrets are never stored: only
// password hashes (bcrypt) and token hashes (sha256 of a random token).
type Auth interface {
	// CreateUser adds an account; ErrExists when the name is taken.
	CreateUser(ctx context.Context, u *User) error
	// GetUser returns an account by name, or ErrNotFound.
	GetUser(ctx context.Context, name string) (*User, error)
	// CountUsers counts accounts; the first admin is made when it is 0.
	CountUsers(ctx context.Context) (int, error)
	// ListUsers returns every account, by name: the dispatch form's
	// officers (accounts are tens to hundreds, not millions).
	ListUsers(ctx context.Context) ([]User, error)
	// SetUserUnit moves an account to a unit ("" for none). ErrNotFound
	// for an unknown name.
	SetUserUnit(ctx context.Context, name, unit string) error

	// CreateSession stores a signed-in session; ErrExists on a hash clash.
	CreateSession(ctx context.Context, s *Session) error
	// GetSession returns a session by the hash of its cookie, expired or
	// not (the caller decides), or ErrNotFound.
	GetSession(ctx context.Context, idHash string) (*Session, error)
	// DeleteSession removes a session (sign-out); removing none is no error.
	DeleteSession(ctx context.Context, idHash string) error
	// DeleteExpiredSessions removes sessions that expired before now.
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error)

	// CreateAPIToken stores an integration's token; ErrExists on a clash.
	CreateAPIToken(ctx context.Context, t *APIToken) error
	// GetAPIToken returns a token by its hash, or ErrNotFound.
	GetAPIToken(ctx context.Context, hash string) (*APIToken, error)
	// RevokeAPITokens refuses every token of that name from now on and
	// returns how many were live; ErrNotFound when no token has the name.
	RevokeAPITokens(ctx context.Context, name string) (int64, error)

	// SetUserDisabled disables or re-enables an account; a disabled
	// account's sessions are deleted. ErrNotFound for an unknown name.
	SetUserDisabled(ctx context.Context, name string, disabled bool) error
	// SetUserPassword replaces an account's password hash and deletes its
	// sessions, so that a leaked password stops working everywhere.
	// ErrNotFound for an unknown name.
	SetUserPassword(ctx context.Context, name, passwordHash string) error

	// PutDeviceCredential registers a device or replaces its token and
	// cameras, clearing a revocation.
	PutDeviceCredential(ctx context.Context, d *DeviceCredential) error
	// GetDeviceCredential returns a device's registry entry, or ErrNotFound.
	GetDeviceCredential(ctx context.Context, deviceID string) (*DeviceCredential, error)
	// RevokeDeviceCredential refuses a device from now on; ErrNotFound for
	// an unknown one.
	RevokeDeviceCredential(ctx context.Context, deviceID string) error
	// PinDeviceKey pins key as the device's signing key unless one is
	// pinned already, in one step (two Hellos racing pin one key), and
	// returns the key pinned now. ErrNotFound for an unknown device.
	PinDeviceKey(ctx context.Context, deviceID string, key []byte) ([]byte, error)
	// SetDeviceKey replaces the pinned key (server device rekey); nil
	// unpins, so that the next Hello pins again. ErrNotFound for an
	// unknown device.
	SetDeviceKey(ctx context.Context, deviceID string, key []byte) error
}

// User is an officer's account.
type User struct {
	Name         string
	Role         string // one of cases.Roles
	PasswordHash string // bcrypt
	Disabled     bool
	CreatedAt    time.Time
	// Unit is the code of the responsible unit (cases.units) the officer
	// works for; "" for none. A handler takes the cases dispatched to it.
	Unit string
}

// Session is a browser's sign-in. The cookie holds a random id; the store
// keeps its sha256, so a copy of the database signs nobody in.
type Session struct {
	IDHash    string
	UserName  string
	CSRFToken string // sent back by the browser on every state-changing request
	CreatedAt time.Time
	ExpiresAt time.Time
}

// APIToken is an integration's bearer token, acting with Role.
type APIToken struct {
	Hash      string // sha256 of the token, hex
	Name      string // what it is for, shown as the actor in the audit trail
	Role      string
	CreatedBy string
	CreatedAt time.Time
	Revoked   bool
}

// DeviceCredential is a device's entry in the registry: the hash of its
// token, the cameras it may report for (none listed: any), whether it is
// revoked and the Ed25519 key its reports must be signed with.
type DeviceCredential struct {
	DeviceID  string
	TokenHash string
	Cameras   []string
	Revoked   bool
	CreatedAt time.Time
	// PublicKey is the pinned key; nil: none yet. PutDeviceCredential
	// keeps the pinned key when this is nil.
	PublicKey []byte
}
