package uplink

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

func TestCommandsReachHandlersAndRepliesReachServer(t *testing.T) {
	srv := newTestServer()
	srv.commands = []*xiuhuav1.ServerMessage{
		{Msg: &xiuhuav1.ServerMessage_Recheck{Recheck: &xiuhuav1.RecheckRequest{RequestId: "rc-1", CameraId: "cam-1"}}},
		{Msg: &xiuhuav1.ServerMessage_ModelAssignment{ModelAssignment: &xiuhuav1.ModelAssignment{AssignmentId: "a-1"}}},
	}
	addr, _ := serve(t, "127.0.0.1:0", srv)
	e := newEdge(t)
	cl, err := New(testConfig(addr), e.outbox, e.id, nil, nil, testLogger(t))
	require.NoError(t, err)
	got := make(chan *xiuhuav1.ServerMessage, 4)
	// A handler answers a re-check from its own goroutine, as real ones do.
	cl.OnCommand(func(_ context.Context, m *xiuhuav1.ServerMessage) {
		got <- m
		if rc := m.GetRecheck(); rc != nil {
			go cl.Reply(&xiuhuav1.EdgeMessage{Msg: &xiuhuav1.EdgeMessage_RecheckResult{RecheckResult: &xiuhuav1.RecheckResult{
				RequestId: rc.RequestId, Outcome: xiuhuav1.RecheckOutcome_RECHECK_OUTCOME_ABSENT}}})
		}
	})
	_, err = cl.FetchModel(context.Background(), &xiuhuav1.FetchModelRequest{})
	require.ErrorIs(t, err, ErrNotRunning)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- cl.Run(ctx) }()
	t.Cleanup(func() { cancel(); require.NoError(t, <-done) })

	require.Equal(t, "rc-1", (<-got).GetRecheck().GetRequestId())
	require.Equal(t, "a-1", (<-got).GetModelAssignment().GetAssignmentId())
	require.Eventually(t, func() bool {
		srv.mu.Lock()
		defer srv.mu.Unlock()
		return len(srv.replies) == 1 && srv.replies[0].GetRecheckResult().GetRequestId() == "rc-1"
	}, waitFor, tick)
}

func TestReplyQueueDropsOldestWhenFull(t *testing.T) {
	e := newEdge(t)
	cl, err := New(testConfig("127.0.0.1:1"), e.outbox, e.id, nil, nil, testLogger(t))
	require.NoError(t, err)
	for i := range replyQueue + 3 {
		cl.Reply(&xiuhuav1.EdgeMessage{Msg: &xiuhuav1.EdgeMessage_ModelStatus{ModelStatus: &xiuhuav1.ModelStatus{DownloadedBytes: int64(i)}}})
	}
	require.Len(t, cl.replies, replyQueue)
	require.Equal(t, int64(3), (<-cl.replies).GetModelStatus().GetDownloadedBytes(), "the oldest three gave way")
}
