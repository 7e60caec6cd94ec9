// Package auth decides who is calling the server and what they may do.
//
//   - Officers sign in with a name and password (bcrypt) and get a session:
//     a random id in an HttpOnly, SameSite=Lax cookie (Secure over TLS),
//     kept in the store only as its sha256, with an expiry.
//   - Integrations send "Authorization: Bearer <token>"; the token has a
//     role and is stored as its sha256.
//   - Edge devices send a per-device bearer token in gRPC metadata; the
//     registry says which cameras each may report for and whether it is
//     revoked.
//
// The roles are those of the case workflow (cases.Roles); the workflow,
// not this package, decides which role may take which step.
package auth
