package rpcerr

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestReasonSurvivesTheWire(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"bad signature", New(codes.Unauthenticated, ReasonBadSignature, "x").Err(), ReasonBadSignature},
		{"bad credentials", New(codes.Unauthenticated, ReasonBadCredentials, "x").Err(), ReasonBadCredentials},
		{"wrapped", fmt.Errorf("send: %w", New(codes.PermissionDenied, ReasonNotYours, "x").Err()), ReasonNotYours},
		{"no reason", New(codes.Unauthenticated, "", "x").Err(), ""},
		{"plain status", status.Error(codes.Unauthenticated, "x"), ""},
		{"not a status", fmt.Errorf("x"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Through the proto form, as a client receives it.
			if st, ok := status.FromError(tc.err); ok && st.Code() != codes.Unknown {
				round := status.FromProto(st.Proto()).Err()
				require.Equal(t, tc.want, Reason(round))
			}
			require.Equal(t, tc.want, Reason(tc.err))
		})
	}
}
