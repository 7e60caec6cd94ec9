package ingest

import (
	"context"

	"google.golang.org/grpc/status"

	"github.com/xiuhua/xiuhua/internal/rpcerr"
)

// authorize asks Options.Authorize and turns its refusal into a counted
// one, keeping its code and reason.
func (s *Service) authorize(ctx context.Context, deviceID, cameraID string) error {
	if s.opts.Authorize == nil {
		return nil
	}
	err := s.opts.Authorize(ctx, deviceID, cameraID)
	if err == nil {
		return nil
	}
	st := status.Convert(err)
	return &refusal{code: st.Code(), reason: reasonNotAuthorized, msg: st.Message(), rpcReason: rpcerr.Reason(err)}
}
