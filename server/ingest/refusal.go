package ingest

import (
	"fmt"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/xiuhua/xiuhua/internal/rpcerr"
)

// refusal is a report refused for a reason worth counting.
type refusal struct {
	code   codes.Code
	reason string
	msg    string
	// rpcReason, when set, goes to the edge as an rpcerr ErrorInfo: it
	// tells a forged signature (permanent) from a credentials problem.
	rpcReason string
	// detail is the underlying error, logged but never sent: it may name
	// the server's files.
	detail error
}

func refuse(code codes.Code, reason, format string, args ...any) *refusal {
	return &refusal{code: code, reason: reason, msg: fmt.Sprintf(format, args...)}
}

func (r *refusal) Error() string { return r.msg }

// GRPCStatus lets status.FromError and the gRPC server see the code.
func (r *refusal) GRPCStatus() *status.Status {
	if r.rpcReason != "" {
		return rpcerr.New(r.code, r.rpcReason, r.msg)
	}
	return status.New(r.code, r.msg)
}
