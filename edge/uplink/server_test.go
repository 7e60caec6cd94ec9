package uplink

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/xiuhua/xiuhua/internal/rpcerr"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// testServer is a small EdgeService: it checks what it receives the way the
// real server must (order, offsets, sizes, sha256), stores each event id once
// and can be told to misbehave.
type testServer struct {
	xiuhuav1.UnimplementedEdgeServiceServer

	mu       sync.Mutex
	stored   map[string]*storedReport
	attempts map[string]int
	received []string // event ids in arrival order, one per attempt
	hellos   []*xiuhuav1.Hello
	beats    []*xiuhuav1.Heartbeat

	// loseAck: store, then answer the first attempt with Unavailable.
	loseAck map[string]bool
	// failFirst: answer the first attempt with this error, storing nothing.
	failFirst map[string]error
	// failAll: answer every report with this error.
	failAll error
	// failAlways: answer every attempt of this event with this error.
	failAlways map[string]error
	// answerEarly: a duplicate is acknowledged as soon as its report is in,
	// without reading the evidence.
	answerEarly bool
	// heartbeatInterval goes in Welcome.
	heartbeatInterval uint32
	// sendUnknown: send a message the edge does not know after Welcome.
	sendUnknown bool
	// commands are sent after Welcome; replies are the edge's
	// non-heartbeat messages.
	commands []*xiuhuav1.ServerMessage
	replies  []*xiuhuav1.EdgeMessage
	// wantToken: refuse reports without "authorization: Bearer <wantToken>"
	// as the real server refuses bad device credentials.
	wantToken string
	// auths are the authorization headers of the reports, in order.
	auths []string
}

// checkToken records the call's authorization header and refuses it when
// wantToken is set and not matched.
func (s *testServer) checkToken(ctx context.Context) error {
	md, _ := metadata.FromIncomingContext(ctx)
	got := strings.Join(md.Get("authorization"), ",")
	s.mu.Lock()
	s.auths = append(s.auths, got)
	want := s.wantToken
	s.mu.Unlock()
	if want != "" && got != "Bearer "+want {
		return rpcerr.New(codes.Unauthenticated, rpcerr.ReasonBadCredentials, "wrong token").Err()
	}
	return nil
}

type storedReport struct {
	report *xiuhuav1.ViolationReport
	files  map[string][]byte
}

func newTestServer() *testServer {
	return &testServer{
		stored:     map[string]*storedReport{},
		attempts:   map[string]int{},
		loseAck:    map[string]bool{},
		failFirst:  map[string]error{},
		failAlways: map[string]error{},
	}
}

func (s *testServer) Connect(stream grpc.BidiStreamingServer[xiuhuav1.EdgeMessage, xiuhuav1.ServerMessage]) error {
	first, err := stream.Recv()
	if err != nil {
		return err
	}
	hello := first.GetHello()
	if hello == nil {
		return status.Error(codes.InvalidArgument, "first message must be Hello")
	}
	s.mu.Lock()
	s.hellos = append(s.hellos, hello)
	interval, unknown, cmds := s.heartbeatInterval, s.sendUnknown, s.commands
	s.mu.Unlock()
	if err := stream.Send(&xiuhuav1.ServerMessage{Msg: &xiuhuav1.ServerMessage_Welcome{Welcome: &xiuhuav1.Welcome{
		ServerTime: timestamppb.Now(), HeartbeatIntervalSeconds: interval,
	}}}); err != nil {
		return err
	}
	if unknown {
		if err := stream.Send(&xiuhuav1.ServerMessage{}); err != nil {
			return err
		}
	}
	for _, c := range cmds {
		if err := stream.Send(c); err != nil {
			return err
		}
	}
	for {
		m, err := stream.Recv()
		if err != nil {
			return err
		}
		hb := m.GetHeartbeat()
		if hb == nil {
			if m.GetHello() != nil {
				return status.Error(codes.InvalidArgument, "Hello sent twice")
			}
			s.mu.Lock()
			s.replies = append(s.replies, m)
			s.mu.Unlock()
			continue
		}
		s.mu.Lock()
		s.beats = append(s.beats, hb)
		s.mu.Unlock()
		if err := stream.Send(&xiuhuav1.ServerMessage{Msg: &xiuhuav1.ServerMessage_HeartbeatAck{
			HeartbeatAck: &xiuhuav1.HeartbeatAck{ServerTime: timestamppb.Now()},
		}}); err != nil {
			return err
		}
	}
}

func (s *testServer) ReportViolation(stream grpc.ClientStreamingServer[xiuhuav1.ReportViolationRequest, xiuhuav1.ReportViolationResponse]) error {
	first, err := stream.Recv()
	if err != nil {
		return err
	}
	r := first.GetReport()
	if r == nil {
		return status.Error(codes.InvalidArgument, "first message must be the report")
	}
	if err := s.checkToken(stream.Context()); err != nil {
		return err
	}
	id := r.GetEventId()
	s.mu.Lock()
	s.attempts[id]++
	s.received = append(s.received, id)
	attempt := s.attempts[id]
	_, dup := s.stored[id]
	failAll, failFirst, loseAck, early := s.failAll, s.failFirst[id], s.loseAck[id], s.answerEarly
	if err := s.failAlways[id]; err != nil {
		failAll = err
	}
	s.mu.Unlock()

	if failAll != nil {
		return failAll
	}
	if failFirst != nil && attempt == 1 {
		return failFirst
	}
	if dup && early {
		return stream.SendAndClose(&xiuhuav1.ReportViolationResponse{EventId: id, CaseId: "case-" + id, Duplicate: true})
	}

	files := map[string][]byte{}
	for _, ev := range r.GetEvidence() {
		var data []byte
		for int64(len(data)) < ev.GetSize() {
			m, err := stream.Recv()
			if err != nil {
				return status.Errorf(codes.InvalidArgument, "evidence %s: %v", ev.GetName(), err)
			}
			c := m.GetChunk()
			if c == nil || c.GetName() != ev.GetName() || c.GetOffset() != int64(len(data)) || len(c.GetData()) == 0 {
				return status.Errorf(codes.InvalidArgument, "evidence %s: unexpected message at offset %d", ev.GetName(), len(data))
			}
			data = append(data, c.GetData()...)
		}
		sum := sha256.Sum256(data)
		if int64(len(data)) != ev.GetSize() || hex.EncodeToString(sum[:]) != ev.GetSha256() {
			return status.Errorf(codes.DataLoss, "evidence %s: size or sha256 differs", ev.GetName())
		}
		files[ev.GetName()] = data
	}
	if _, err := stream.Recv(); !errors.Is(err, io.EOF) {
		return status.Errorf(codes.InvalidArgument, "expected the end of the stream, got %v", err)
	}

	s.mu.Lock()
	_, dup = s.stored[id]
	if !dup {
		s.stored[id] = &storedReport{report: proto.Clone(r).(*xiuhuav1.ViolationReport), files: files}
	}
	s.mu.Unlock()
	if loseAck && attempt == 1 {
		return status.Error(codes.Unavailable, "stored, but the answer got lost")
	}
	return stream.SendAndClose(&xiuhuav1.ReportViolationResponse{EventId: id, CaseId: "case-" + id, Duplicate: dup})
}

func (s *testServer) storedIDs() map[string]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := map[string]bool{}
	for id := range s.stored {
		ids[id] = true
	}
	return ids
}

func (s *testServer) attemptsFor(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts[id]
}

func (s *testServer) helloCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.hellos)
}

// serve starts srv on addr ("127.0.0.1:0" for any port) until the test ends.
func serve(t *testing.T, addr string, srv *testServer, opts ...grpc.ServerOption) (string, func()) {
	t.Helper()
	lis, err := net.Listen("tcp", addr)
	require.NoError(t, err)
	g := grpc.NewServer(opts...)
	xiuhuav1.RegisterEdgeServiceServer(g, srv)
	done := make(chan struct{})
	go func() {
		defer close(done)
		g.Serve(lis)
	}()
	stop := sync.OnceFunc(func() { g.Stop(); <-done })
	t.Cleanup(stop)
	return lis.Addr().String(), stop
}

// requireStoredIntact checks that the server holds exactly want, with
// evidence equal to what was put.
func requireStoredIntact(t *testing.T, srv *testServer, want map[string][]byte) {
	t.Helper()
	srv.mu.Lock()
	defer srv.mu.Unlock()
	require.Len(t, srv.stored, len(want))
	for id, clip := range want {
		st, ok := srv.stored[id]
		require.True(t, ok, "missing %s", id)
		require.True(t, bytes.Equal(clip, st.files["clip.mp4"]), "clip of %s differs", id)
		require.Equal(t, fmt.Sprintf("jpeg %s", id), string(st.files["snapshot.jpg"]))
	}
}
