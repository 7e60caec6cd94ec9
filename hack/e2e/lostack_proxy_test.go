package e2e

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// lostAckProxy sits between an edge and the real server. It forwards every
// report in full, so the server stores it, but the first time it sees an
// event id it throws the server's acknowledgement away and tells the edge
// the connection broke: exactly what a mobile uplink does at the worst
// moment.
type lostAckProxy struct {
	xiuhuav1.UnimplementedEdgeServiceServer
	upstream xiuhuav1.EdgeServiceClient

	mu       sync.Mutex
	attempts map[string]int
}

func startLostAckProxy(t *testing.T, addr, upstream string) *lostAckProxy {
	t.Helper()
	conn, err := grpc.NewClient(upstream, grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	p := &lostAckProxy{upstream: xiuhuav1.NewEdgeServiceClient(conn), attempts: map[string]int{}}
	l, err := net.Listen("tcp", addr)
	require.NoError(t, err)
	srv := grpc.NewServer()
	xiuhuav1.RegisterEdgeServiceServer(srv, p)
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(srv.Stop)
	return p
}

func (p *lostAckProxy) ReportViolation(in grpc.ClientStreamingServer[xiuhuav1.ReportViolationRequest, xiuhuav1.ReportViolationResponse]) error {
	out, err := p.upstream.ReportViolation(forwardAuth(in.Context()))
	if err != nil {
		return err
	}
	var eventID string
	for {
		msg, err := in.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if r := msg.GetReport(); r != nil {
			eventID = r.EventId
		}
		if err := out.Send(msg); err != nil {
			break // the server answered early (a duplicate); CloseAndRecv has it
		}
	}
	resp, err := out.CloseAndRecv()
	if err != nil {
		return err
	}
	p.mu.Lock()
	p.attempts[eventID]++
	first := p.attempts[eventID] == 1
	p.mu.Unlock()
	if first {
		return status.Error(codes.Unavailable, "proxy: acknowledgement lost on purpose")
	}
	return in.SendAndClose(resp)
}

// Connect forwards the control stream both ways, so the server learns the
// box's signing key from its Hello as it would without the proxy.
func (p *lostAckProxy) Connect(in grpc.BidiStreamingServer[xiuhuav1.EdgeMessage, xiuhuav1.ServerMessage]) error {
	ctx, cancel := context.WithCancel(forwardAuth(in.Context()))
	defer cancel()
	out, err := p.upstream.Connect(ctx)
	if err != nil {
		return err
	}
	go func() {
		defer cancel()
		for {
			msg, err := out.Recv()
			if err != nil || in.Send(msg) != nil {
				return
			}
		}
	}()
	for {
		msg, err := in.Recv()
		if err != nil {
			return nil
		}
		if err := out.Send(msg); err != nil {
			return err
		}
	}
}

// forwardAuth passes the edge's device token on to the server.
func forwardAuth(ctx context.Context) context.Context {
	md, _ := metadata.FromIncomingContext(ctx)
	if a := md.Get("authorization"); len(a) > 0 {
		return metadata.AppendToOutgoingContext(ctx, "authorization", a[0])
	}
	return ctx
}

func (p *lostAckProxy) attemptsFor(id string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.attempts[id]
}
