package auth

import "context"

// Principal is who a request acts as.
type Principal struct {
	// Name is the actor written to the audit trail: the user's name, or
	// "token:<name>" for an integration.
	Name string
	Role string
	// Unit is a signed-in officer's unit code (cases.units); empty for
	// none and for API tokens.
	Unit string
	// CSRFToken is the session's anti-forgery token; empty for bearer
	// tokens, which browsers never send on their own.
	CSRFToken string
	// sessionHash identifies the session for sign-out.
	sessionHash string
}

// FromBrowser reports whether the principal came from a session cookie, so
// that state-changing requests need the CSRF token.
func (p *Principal) FromBrowser() bool { return p.sessionHash != "" }

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal in ctx, or nil.
func PrincipalFrom(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}
