package auth

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/store"
)

// Errors a caller turns into a response.
var (
	// ErrBadLogin: unknown user, wrong password or disabled account; one
	// error for all, so that the answer does not tell which names exist.
	ErrBadLogin = errors.New("wrong user name or password")
	// ErrNoCredentials: no session and no valid token.
	ErrNoCredentials = errors.New("not signed in")
	// ErrInvalid: a name or role that is not allowed.
	ErrInvalid = errors.New("invalid")
	// ErrExpired: the session has expired.
	ErrExpired = errors.New("session expired: sign in again")
)

// DefaultSessionTTL is how long a sign-in lasts: one working shift.
const DefaultSessionTTL = 12 * time.Hour

// Options configure a Service. Store is required.
type Options struct {
	Store      store.Auth
	SessionTTL time.Duration    // default DefaultSessionTTL
	Now        func() time.Time // default time.Now
	Log        *slog.Logger
	// MaxFailedLogins failures of one name from one address are free;
	// each further one doubles the wait before the next try, from
	// LoginBackoff up to LoginLockout. Defaults DefaultMaxFailedLogins,
	// DefaultLoginBackoff and DefaultLoginLockout.
	MaxFailedLogins int
	LoginBackoff    time.Duration
	LoginLockout    time.Duration
}

// Service signs officers in and resolves sessions and tokens.
type Service struct {
	st  store.Auth
	ttl time.Duration
	now func() time.Time
	log *slog.Logger

	backoff *backoff // failures per (name, client address)
}

// New returns a Service.
func New(o Options) *Service {
	if o.SessionTTL <= 0 {
		o.SessionTTL = DefaultSessionTTL
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.MaxFailedLogins <= 0 {
		o.MaxFailedLogins = DefaultMaxFailedLogins
	}
	if o.LoginBackoff <= 0 {
		o.LoginBackoff = DefaultLoginBackoff
	}
	if o.LoginLockout <= 0 {
		o.LoginLockout = DefaultLoginLockout
	}
	return &Service{st: o.Store, ttl: o.SessionTTL, now: o.Now, log: o.Log.With("component", "auth"),
		backoff: newBackoff(o.MaxFailedLogins, o.LoginBackoff, o.LoginLockout)}
}

// SessionTTL is how long a new session lasts.
func (s *Service) SessionTTL() time.Duration { return s.ttl }

// validName keeps names printable in logs and the audit trail.
var validName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$`)

func checkNameRole(name, role string) error {
	if !validName.MatchString(name) {
		return fmt.Errorf("name: %w value %q: allowed: 1 to 64 letters, digits, . _ @ -", ErrInvalid, name)
	}
	if !slices.Contains(cases.Roles, role) {
		return fmt.Errorf("role: %w value %q: allowed: %s", ErrInvalid, role, strings.Join(cases.Roles, ", "))
	}
	return nil
}

// AddUser creates an officer account.
func (s *Service) AddUser(ctx context.Context, name, role, password string) error {
	return s.AddUserInUnit(ctx, name, role, "", password)
}

// AddUserInUnit is AddUser for an officer of a unit (its code; the caller
// checks it is a configured one).
func (s *Service) AddUserInUnit(ctx context.Context, name, role, unit, password string) error {
	if err := checkNameRole(name, role); err != nil {
		return err
	}
	h, err := hashPassword(password)
	if err != nil {
		return err
	}
	return s.st.CreateUser(ctx, &store.User{Name: name, Role: role, PasswordHash: h, CreatedAt: s.now(), Unit: unit})
}

// Login checks a name and password and starts a session. It returns the
// cookie value (shown once, never stored) and the session.
func (s *Service) Login(ctx context.Context, name, password string) (string, *store.Session, error) {
	return s.LoginFrom(ctx, name, password, "")
}

// LoginFrom is Login for a sign-in from the network address remote (the
// client's IP; empty: unknown). Failures are counted per (name, remote):
// past the free ones each sets a doubling wait, and a try within the wait
// gets a *ThrottledError (also ErrBadLogin) without the password being
// checked, so that guessing learns nothing and costs the server no
// hashing. A failure that sets a wait is answered with it too, so that the
// person can be told until when to wait.
func (s *Service) LoginFrom(ctx context.Context, name, password, remote string) (string, *store.Session, error) {
	now := s.now()
	if until, ok := s.backoff.waiting(name, remote, now); ok {
		s.log.Warn("sign-in refused: waiting after failures", s.nameAttr(ctx, name), "remote", remote, "until", until)
		return "", nil, &ThrottledError{Until: until}
	}
	fail := func(exists bool) error {
		attr := slog.String("user", name)
		if !exists {
			attr = typedName(name)
		}
		until, wait := s.backoff.fail(name, remote, s.now())
		if !wait {
			s.log.Warn("sign-in failed", attr, "remote", remote)
			return ErrBadLogin
		}
		s.log.Warn("sign-in failed: waiting before the next try", attr, "remote", remote, "until", until)
		return &ThrottledError{Until: until}
	}
	u, err := s.st.GetUser(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		checkPassword(string(dummyHash), password)
		return "", nil, fail(false)
	}
	if err != nil {
		return "", nil, err
	}
	if !checkPassword(u.PasswordHash, password) || u.Disabled {
		return "", nil, fail(true)
	}
	s.backoff.reset(name, remote)
	id := NewSecret(PrefixSession)
	now = s.now()
	sess := &store.Session{IDHash: HashSecret(id), UserName: u.Name, CSRFToken: NewSecret(""),
		CreatedAt: now, ExpiresAt: now.Add(s.ttl)}
	if err := s.st.CreateSession(ctx, sess); err != nil {
		return "", nil, err
	}
	// Now and then, sweep; a failure only leaves dead rows.
	if _, err := s.st.DeleteExpiredSessions(ctx, now); err != nil {
		s.log.Warn("removing expired sessions", "err", err)
	}
	s.log.Info("signed in", "user", u.Name, "role", u.Role)
	return id, sess, nil
}

// nameAttr is the log attribute of a typed user name: the name itself when
// an account has it, else typedName.
func (s *Service) nameAttr(ctx context.Context, name string) slog.Attr {
	if _, err := s.st.GetUser(ctx, name); err == nil {
		return slog.String("user", name)
	}
	return typedName(name)
}

// typedName stands for what was typed as a user name that is no account's:
// people type their password there, so only a short hash of it is logged,
// enough to see the same unknown name tried again.
func typedName(name string) slog.Attr {
	h := sha256.Sum256([]byte(name))
	return slog.String("user_sha256", hex.EncodeToString(h[:])[:12])
}

// Logout ends the session of a cookie value.
func (s *Service) Logout(ctx context.Context, p *Principal) error {
	if p == nil || p.sessionHash == "" {
		return nil
	}
	return s.st.DeleteSession(ctx, p.sessionHash)
}

// Session resolves a session cookie's value.
func (s *Service) Session(ctx context.Context, cookie string) (*Principal, error) {
	sess, err := s.st.GetSession(ctx, HashSecret(cookie))
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoCredentials
	}
	if err != nil {
		return nil, err
	}
	if !s.now().Before(sess.ExpiresAt) {
		return nil, ErrExpired
	}
	u, err := s.st.GetUser(ctx, sess.UserName)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoCredentials
	}
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, ErrNoCredentials
	}
	return &Principal{Name: u.Name, Role: u.Role, Unit: u.Unit, CSRFToken: sess.CSRFToken, sessionHash: sess.IDHash}, nil
}

// Bearer resolves an integration's API token.
func (s *Service) Bearer(ctx context.Context, token string) (*Principal, error) {
	t, err := s.st.GetAPIToken(ctx, HashSecret(token))
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoCredentials
	}
	if err != nil {
		return nil, err
	}
	if t.Revoked {
		return nil, ErrNoCredentials
	}
	return &Principal{Name: "token:" + t.Name, Role: t.Role}, nil
}

// AddAPIToken creates an integration's token and returns it; only its hash
// is kept, so it is shown this once.
func (s *Service) AddAPIToken(ctx context.Context, name, role, createdBy string) (string, error) {
	if err := checkNameRole(name, role); err != nil {
		return "", err
	}
	tok := NewSecret(PrefixAPI)
	err := s.st.CreateAPIToken(ctx, &store.APIToken{Hash: HashSecret(tok), Name: name, Role: role,
		CreatedBy: createdBy, CreatedAt: s.now()})
	if err != nil {
		return "", err
	}
	s.log.Info("api token created", "name", name, "role", role, "by", createdBy)
	return tok, nil
}

// AddDevice registers a device, or gives a registered one a new token (the
// old one stops working and a revocation is lifted), and returns the token.
// cameras limits what it may report for; none: any camera.
func (s *Service) AddDevice(ctx context.Context, id string, cameras []string) (string, error) {
	return s.AddDeviceWithKey(ctx, id, cameras, nil)
}

// AddDeviceWithKey is AddDevice that also pins the device's public key;
// nil keeps the key pinned already, if any.
func (s *Service) AddDeviceWithKey(ctx context.Context, id string, cameras []string, key ed25519.PublicKey) (string, error) {
	if !validName.MatchString(id) {
		return "", fmt.Errorf("device id: %w value %q: allowed: 1 to 64 letters, digits, . _ @ -", ErrInvalid, id)
	}
	tok := PrefixDevice + id + "." + NewSecret("")
	if err := s.st.PutDeviceCredential(ctx, &store.DeviceCredential{DeviceID: id, TokenHash: HashSecret(tok),
		Cameras: cameras, CreatedAt: s.now(), PublicKey: key}); err != nil {
		return "", err
	}
	return tok, nil
}

// RekeyDevice replaces a device's pinned key (a replaced box); nil unpins
// it, so that the device's next Hello pins its key (auth.device_keys
// first_hello). The token stays.
func (s *Service) RekeyDevice(ctx context.Context, id string, key ed25519.PublicKey) error {
	if err := s.st.SetDeviceKey(ctx, id, key); err != nil {
		return err
	}
	s.log.Info("device key replaced", "device_id", id, "key", KeyFingerprint(key))
	return nil
}

// RevokeDevice refuses a device from its next call on.
func (s *Service) RevokeDevice(ctx context.Context, id string) error {
	return s.st.RevokeDeviceCredential(ctx, id)
}
