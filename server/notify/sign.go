package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Webhook headers.
const (
	HeaderEventID   = "X-Xiuhua-Event-Id"
	HeaderEvent     = "X-Xiuhua-Event"
	HeaderTimestamp = "X-Xiuhua-Timestamp"
	HeaderSignature = "X-Xiuhua-Signature"
)

// Sign returns the X-Xiuhua-Signature value for body sent at timestamp
// (Unix seconds, as sent in X-Xiuhua-Timestamp):
// "sha256=" + hex(HMAC-SHA256(secret, timestamp + "." + body)). The
// timestamp is signed so that a captured request cannot be replayed later
// with a fresh one.
func Sign(secret []byte, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(timestamp))
	m.Write([]byte{'.'})
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify reports whether signature is Sign(secret, timestamp, body), in
// constant time. Receivers should also refuse timestamps far from their
// clock (a few minutes).
func Verify(secret []byte, timestamp string, body []byte, signature string) bool {
	got, ok := strings.CutPrefix(signature, "sha256=")
	if !ok {
		return false
	}
	want := Sign(secret, timestamp, body)[len("sha256="):]
	return hmac.Equal([]byte(got), []byte(want))
}
