// Package rpcerr names the reasons the server attaches to gRPC refusals
// whose code alone is ambiguous, so that the edge can act on them: both a
// missing device token and a forged report signature are Unauthenticated,
// but only the token can be fixed by the operator while the report waits.
package rpcerr

import (
	"errors"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Domain is the ErrorInfo domain of Xiuhua's reasons.
const Domain = "xiuhua.v1"

// Reasons.
const (
	// ReasonBadSignature: the report's signature does not verify with the
	// device's key. Sending it again cannot help.
	ReasonBadSignature = "BAD_SIGNATURE"
	// ReasonBadCredentials: the device's token is missing, unknown, wrong
	// or revoked. Fixing the token on the box makes the report go through.
	ReasonBadCredentials = "BAD_CREDENTIALS"
	// ReasonClientCertificate: the device's token is good, but its TLS
	// client certificate does not name it (grpc.tls.client_ca is set on
	// the server). Fixing the certificate on the box makes it go through.
	ReasonClientCertificate = "CLIENT_CERTIFICATE"
	// ReasonNotYours: the device reported for another device or a camera
	// the registry does not list for it.
	ReasonNotYours = "NOT_YOUR_DEVICE_OR_CAMERA"
	// ReasonDeviceKey: the device's Hello carried no key, or not the key
	// pinned for it; an operator fixes it (server device rekey).
	ReasonDeviceKey = "DEVICE_KEY"
	// ReasonServerStorage: the server could not read or write its own
	// database or files (disk full, database down). The message says so
	// in a few words; the details (paths, driver errors) stay in the
	// server's log. Sending the same thing later can succeed.
	ReasonServerStorage = "SERVER_STORAGE"
)

// New returns a status with code, message and an ErrorInfo naming reason;
// with reason empty, a plain status.
func New(code codes.Code, reason, msg string) *status.Status {
	st := status.New(code, msg)
	if reason == "" {
		return st
	}
	if withInfo, err := st.WithDetails(&errdetails.ErrorInfo{Reason: reason, Domain: Domain}); err == nil {
		return withInfo
	}
	return st
}

// Reason returns the Xiuhua reason attached to err, or "".
func Reason(err error) string {
	var se interface{ GRPCStatus() *status.Status }
	if !errors.As(err, &se) {
		return ""
	}
	for _, d := range se.GRPCStatus().Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok && info.GetDomain() == Domain {
			return info.GetReason()
		}
	}
	return ""
}
