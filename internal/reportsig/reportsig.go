// Package reportsig defines what an edge box's signature on a violation
// report covers, in one place for the edge that signs and the server that
// checks: the report in deterministic protobuf encoding with its signature
// field empty, signed with Ed25519.
//
// Fields unknown to the reader are re-encoded after the known ones, so a
// signature from a newer edge still verifies on an older server as long as
// new ViolationReport fields take numbers above every existing one.
package reportsig

import (
	"crypto/ed25519"
	"errors"
	"fmt"

	"google.golang.org/protobuf/proto"

	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// ErrBadSignature means a signature did not verify.
var ErrBadSignature = errors.New("signature does not verify")

// SignedBytes returns the message a report's signature covers. r itself is
// not changed.
func SignedBytes(r *xiuhuav1.ViolationReport) ([]byte, error) {
	c := proto.CloneOf(r)
	c.Signature = nil
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("encode report for signature: %w", err)
	}
	return b, nil
}

// Sign sets r.Signature. Sign last: any later change to r breaks it.
func Sign(key ed25519.PrivateKey, r *xiuhuav1.ViolationReport) error {
	b, err := SignedBytes(r)
	if err != nil {
		return err
	}
	r.Signature = ed25519.Sign(key, b)
	return nil
}

// Verify checks r's signature with key and returns the signed bytes, which
// the server keeps so the report can be checked again later.
func Verify(key ed25519.PublicKey, r *xiuhuav1.ViolationReport) ([]byte, error) {
	if len(key) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("public key has %d bytes, want %d", len(key), ed25519.PublicKeySize)
	}
	b, err := SignedBytes(r)
	if err != nil {
		return nil, err
	}
	if len(r.Signature) == 0 {
		return b, errors.New("report is not signed")
	}
	if !ed25519.Verify(key, b, r.Signature) {
		return b, ErrBadSignature
	}
	return b, nil
}
