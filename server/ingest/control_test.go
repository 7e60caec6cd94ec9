package ingest

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/xiuhua/xiuhua/internal/logtest"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// fakeControl asks every device for one re-check until it answers.
type fakeControl struct {
	mu       sync.Mutex
	answered map[string]bool
	got      []*xiuhuav1.EdgeMessage
}

func (f *fakeControl) Commands(_ context.Context, deviceID string) ([]*xiuhuav1.ServerMessage, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.answered[deviceID] {
		return nil, nil
	}
	return []*xiuhuav1.ServerMessage{{Msg: &xiuhuav1.ServerMessage_Recheck{Recheck: &xiuhuav1.RecheckRequest{
		RequestId: "rc-1", CameraId: "cam-7", ZoneId: "z1"}}}}, nil
}

func (f *fakeControl) Handle(_ context.Context, deviceID string, m *xiuhuav1.EdgeMessage) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.got = append(f.got, m)
	if m.GetRecheckResult() != nil {
		f.answered[deviceID] = true
	}
	return nil
}

func (f *fakeControl) received() []*xiuhuav1.EdgeMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*xiuhuav1.EdgeMessage(nil), f.got...)
}

func TestControlCommandsAndAnswers(t *testing.T) {
	ctl := &fakeControl{answered: map[string]bool{}}
	e := newEnv(t, func(o *Options) { o.Controls = []Control{ctl} })
	ctx := ctxT(t)
	c := e.connect(t, ctx, "edge-01", nil)

	// The command follows the Welcome without waiting for a heartbeat.
	m, err := c.Recv()
	require.NoError(t, err)
	require.Equal(t, "rc-1", m.GetRecheck().GetRequestId(), "got %v", m)

	// Unanswered, it comes again after the next heartbeat.
	require.NoError(t, c.Send(heartbeatMsg(0)))
	m, err = c.Recv()
	require.NoError(t, err)
	require.NotNil(t, m.GetHeartbeatAck())
	m, err = c.Recv()
	require.NoError(t, err)
	require.Equal(t, "rc-1", m.GetRecheck().GetRequestId())

	// The answer reaches the control; a heartbeat's model status does too.
	require.NoError(t, c.Send(&xiuhuav1.EdgeMessage{Msg: &xiuhuav1.EdgeMessage_RecheckResult{RecheckResult: &xiuhuav1.RecheckResult{
		RequestId: "rc-1", Outcome: xiuhuav1.RecheckOutcome_RECHECK_OUTCOME_ABSENT}}}))
	hb := heartbeatMsg(0)
	hb.GetHeartbeat().ModelStatus = &xiuhuav1.ModelStatus{State: xiuhuav1.ModelState_MODEL_STATE_ACTIVE,
		Running: &xiuhuav1.ModelRef{Name: "m", Version: "1"}}
	require.NoError(t, c.Send(hb))
	m, err = c.Recv()
	require.NoError(t, err)
	require.NotNil(t, m.GetHeartbeatAck())
	require.Eventually(t, func() bool { return len(ctl.received()) == 2 }, 5*time.Second, 10*time.Millisecond)
	got := ctl.received()
	require.Equal(t, xiuhuav1.RecheckOutcome_RECHECK_OUTCOME_ABSENT, got[0].GetRecheckResult().GetOutcome())
	require.Equal(t, "m", got[1].GetModelStatus().GetRunning().GetName())

	// Answered: a kick sends nothing more, and the stream stays quiet
	// until the next heartbeat, which is answered by its ack alone.
	e.svc.Kick("edge-01")
	require.NoError(t, c.Send(heartbeatMsg(0)))
	m, err = c.Recv()
	require.NoError(t, err)
	require.NotNil(t, m.GetHeartbeatAck(), "got %v", m)
	require.Equal(t, 2.0, e.counter(t, "xiuhua_control_commands_sent_total"))
}

func TestHelloWarnsOfCamerasTheRegistryDoesNotList(t *testing.T) {
	var logs logtest.Buffer
	e := newEnv(t, func(o *Options) {
		o.Log = slog.New(slog.NewTextHandler(&logs, nil))
		o.Authorize = func(_ context.Context, _, cameraID string) error {
			if cameraID == "cam-7" {
				return status.Error(codes.PermissionDenied, "camera cam-7 is not registered to edge-01")
			}
			return nil
		}
	})
	e.connect(t, ctxT(t), "edge-01", nil)
	require.Eventually(t, func() bool {
		return strings.Contains(logs.String(), "device announces a camera it may not report for") &&
			strings.Contains(logs.String(), "camera_id=cam-7")
	}, 5*time.Second, 10*time.Millisecond, logs.String())
}
