package models

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/xiuhua/xiuhua/internal/grpctest"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
	"github.com/xiuhua/xiuhua/server/blob"
	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/ingest"
	"github.com/xiuhua/xiuhua/server/store"
)

// fleet is a real ingest service on loopback gRPC with the model Control,
// over the registry's store and models folder.
type fleet struct {
	*regEnv
	ctl    *Control
	svc    *ingest.Service
	client xiuhuav1.EdgeServiceClient
}

func newFleet(t *testing.T) *fleet {
	t.Helper()
	e := newRegEnv(t)
	blobs, err := blob.NewFolder(filepath.Join(t.TempDir(), "evidence"))
	require.NoError(t, err)
	ctl := NewControl(ControlOptions{Store: e.store, Resend: time.Hour, Probation: 5 * time.Minute, MaxErrorRate: 0.05,
		Metrics: e.m, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	svc := ingest.New(ingest.Options{
		Store: e.store, Cases: cases.New(e.store, cases.DefaultConfig()), Blobs: blobs, ModelsDir: e.dir,
		MaxEvidenceBytes: 1 << 20, MaxEvidenceFiles: 4, Controls: []ingest.Control{ctl},
		Metrics: ingest.NewMetrics(prometheus.NewRegistry()), Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	e.reg.opts.Kick = svc.Kick
	cc := grpctest.Serve(t, func(s *grpc.Server) { xiuhuav1.RegisterEdgeServiceServer(s, svc) }, svc.Shutdown)
	return &fleet{regEnv: e, ctl: ctl, svc: svc, client: xiuhuav1.NewEdgeServiceClient(cc)}
}

type edgeStream = grpc.BidiStreamingClient[xiuhuav1.EdgeMessage, xiuhuav1.ServerMessage]

// connect opens a fake edge's control stream and reads its Welcome.
func (f *fleet) connect(t *testing.T, ctx context.Context, id string) edgeStream {
	t.Helper()
	c, err := f.client.Connect(ctx)
	require.NoError(t, err)
	require.NoError(t, c.Send(&xiuhuav1.EdgeMessage{Msg: &xiuhuav1.EdgeMessage_Hello{Hello: &xiuhuav1.Hello{
		DeviceId: id, SoftwareVersion: "0.1.0", Hostname: id,
		Cameras: []*xiuhuav1.CameraInfo{{Id: "cam-1"}, {Id: "cam-2"}},
	}}}))
	m, err := c.Recv()
	require.NoError(t, err)
	require.NotNil(t, m.GetWelcome(), "got %v", m)
	return c
}

func heartbeat(ms *xiuhuav1.ModelStatus) *xiuhuav1.EdgeMessage {
	return &xiuhuav1.EdgeMessage{Msg: &xiuhuav1.EdgeMessage_Heartbeat{Heartbeat: &xiuhuav1.Heartbeat{
		SentAt: timestamppb.Now(), ModelStatus: ms}}}
}

// quiet proves that the server owes the edge nothing now: commands follow
// a heartbeat's ack, so two heartbeats answered by two bare acks leave no
// room for one.
func quiet(t *testing.T, c edgeStream) {
	t.Helper()
	for range 2 {
		require.NoError(t, c.Send(heartbeat(nil)))
		m, err := c.Recv()
		require.NoError(t, err)
		require.NotNil(t, m.GetHeartbeatAck(), "expected nothing but the ack, got %v", m)
	}
}

// assignment reads messages until a ModelAssignment, sending a heartbeat
// when needed to make the server poll.
func assignment(t *testing.T, c edgeStream) *xiuhuav1.ModelAssignment {
	t.Helper()
	require.NoError(t, c.Send(heartbeat(nil)))
	for range 4 {
		m, err := c.Recv()
		require.NoError(t, err)
		if a := m.GetModelAssignment(); a != nil {
			return a
		}
	}
	t.Fatal("no ModelAssignment")
	return nil
}

func running(ref *xiuhuav1.ModelRef, state xiuhuav1.ModelState, aid, reason string, target *xiuhuav1.ModelRef) *xiuhuav1.ModelStatus {
	return &xiuhuav1.ModelStatus{State: state, Running: ref, Target: target, AssignmentId: aid, Reason: reason,
		ChangedAt: timestamppb.Now(),
		Cameras:   []*xiuhuav1.CameraModel{{CameraId: "cam-1", Model: ref}, {CameraId: "cam-2", Model: ref}}}
}

// fetch downloads a model through FetchModel and returns its sha256.
func fetch(t *testing.T, ctx context.Context, client xiuhuav1.EdgeServiceClient, ref *xiuhuav1.ModelRef) string {
	t.Helper()
	s, err := client.FetchModel(ctx, &xiuhuav1.FetchModelRequest{Name: ref.Name, Version: ref.Version, Sha256: ref.Sha256})
	require.NoError(t, err)
	h := sha256.New()
	for {
		m, err := s.Recv()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		if c := m.GetChunk(); c != nil {
			h.Write(c.Data)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// TestCanaryRollout: two edges over real gRPC. A rollout to the canary
// group reaches only the canary; once it reports the new version, a
// rollout to the wider group reaches the other edge, and the canary is
// not sent it again.
func TestCanaryRollout(t *testing.T) {
	f := newFleet(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	v1, v2 := tinyModel(1), tinyModel(2)
	_, _, err := f.reg.Upload(ctx, tinyUpload("1", v1))
	require.NoError(t, err)
	_, _, err = f.reg.Upload(ctx, tinyUpload("2", v2))
	require.NoError(t, err)
	_, err = f.reg.PutGroup(ctx, "canary", []string{"edge-a"})
	require.NoError(t, err)
	_, err = f.reg.PutGroup(ctx, "all", []string{"edge-a", "edge-b"})
	require.NoError(t, err)

	old := &xiuhuav1.ModelRef{Name: "tiny", Version: "1", Sha256: sum(v1)}
	a := f.connect(t, ctx, "edge-a")
	b := f.connect(t, ctx, "edge-b")
	for _, c := range []edgeStream{a, b} {
		require.NoError(t, c.Send(heartbeat(running(old, xiuhuav1.ModelState_MODEL_STATE_ACTIVE, "", "", nil))))
		m, err := c.Recv()
		require.NoError(t, err)
		require.NotNil(t, m.GetHeartbeatAck())
	}
	quiet(t, a)
	quiet(t, b)

	r, err := f.reg.Rollout(ctx, "canary", "tiny", "2", "admin")
	require.NoError(t, err)
	got := assignment(t, a)
	require.Equal(t, AssignmentID(r.ID), got.AssignmentId)
	require.Equal(t, "2", got.Model.Version)
	require.Equal(t, sum(v2), got.Model.Sha256)
	require.Equal(t, int64(len(v2)), got.Size)
	require.Equal(t, uint32(300), got.ProbationSeconds)
	require.InDelta(t, 0.05, got.MaxErrorRate, 1e-6)
	quiet(t, b) // the other edge is not in the canary
	quiet(t, a) // not resent before the resend interval

	// The canary downloads it through FetchModel and reports it running.
	require.Equal(t, sum(v2), fetch(t, ctx, f.client, got.Model))
	require.NoError(t, a.Send(&xiuhuav1.EdgeMessage{Msg: &xiuhuav1.EdgeMessage_ModelStatus{ModelStatus: running(got.Model,
		xiuhuav1.ModelState_MODEL_STATE_PROBATION, got.AssignmentId, "", got.Model)}}))
	require.Eventually(t, func() bool {
		d, err := f.reg.Device(ctx, "edge-a")
		return err == nil && d.InSync()
	}, 10*time.Second, 20*time.Millisecond)

	r2, err := f.reg.Rollout(ctx, "all", "tiny", "2", "admin")
	require.NoError(t, err)
	gotB := assignment(t, b)
	require.Equal(t, AssignmentID(r2.ID), gotB.AssignmentId)
	require.Equal(t, sum(v2), gotB.Model.Sha256)
	quiet(t, a) // already runs it

	// edge-b rolls back: recorded with its reason, visible per camera, and
	// the refused assignment is not pushed again.
	reason := "run-time errors 12% of inferences, above 5%, during probation"
	require.NoError(t, b.Send(heartbeat(running(old, xiuhuav1.ModelState_MODEL_STATE_ROLLED_BACK, gotB.AssignmentId, reason, gotB.Model))))
	require.Eventually(t, func() bool {
		d, err := f.reg.Device(ctx, "edge-b")
		return err == nil && d.Status != nil && d.Status.State == "MODEL_STATE_ROLLED_BACK"
	}, 10*time.Second, 20*time.Millisecond)
	d, err := f.reg.Device(ctx, "edge-b")
	require.NoError(t, err)
	require.Equal(t, reason, d.Status.Reason)
	require.Equal(t, "1", d.Status.Running.Version)
	require.Equal(t, "2", d.Status.Target.Version)
	require.Len(t, d.Status.Cameras, 2)
	require.Equal(t, "1", d.Status.Cameras[1].Model.Version)
	require.False(t, d.InSync())
	m, err := b.Recv()
	require.NoError(t, err)
	require.NotNil(t, m.GetHeartbeatAck())
	quiet(t, b)
	// Not even when a resend is due: a fresh Control has sent nothing yet.
	fresh := NewControl(ControlOptions{Store: f.store})
	cmds, err := fresh.Commands(ctx, "edge-b")
	require.NoError(t, err)
	require.Empty(t, cmds, "a refused assignment waits for a new rollout")

	// A later plain heartbeat keeps the reason of the last failure.
	require.NoError(t, b.Send(heartbeat(running(old, xiuhuav1.ModelState_MODEL_STATE_ACTIVE, "", "", nil))))
	m, err = b.Recv()
	require.NoError(t, err)
	require.NotNil(t, m.GetHeartbeatAck())
	require.Eventually(t, func() bool {
		d, err := f.reg.Device(ctx, "edge-b")
		return err == nil && d.Status.State == "MODEL_STATE_ACTIVE"
	}, 10*time.Second, 20*time.Millisecond)
	d, err = f.reg.Device(ctx, "edge-b")
	require.NoError(t, err)
	require.Equal(t, reason, d.Status.LastFailure.Reason)
	require.Equal(t, gotB.AssignmentId, d.Status.LastFailure.AssignmentID)

	require.Equal(t, 2.0, counter(t, f.m.assignments))
	require.Equal(t, 1.0, counter(t, f.m.statuses.WithLabelValues("MODEL_STATE_ROLLED_BACK")))
}

// TestAssignmentResent: an unanswered assignment goes out again once the
// resend interval has passed, and a newer rollout replaces it at once.
func TestAssignmentResent(t *testing.T) {
	f := newFleet(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	_, _, err := f.reg.Upload(ctx, tinyUpload("1", tinyModel(1)))
	require.NoError(t, err)
	_, err = f.reg.PutGroup(ctx, "solo", []string{"edge-a"})
	require.NoError(t, err)
	_, err = f.reg.Rollout(ctx, "solo", "tiny", "1", "admin")
	require.NoError(t, err)
	now := time.Now()
	f.ctl.opts.Now = func() time.Time { return now }
	cmds, err := f.ctl.Commands(ctx, "edge-a")
	require.NoError(t, err)
	require.Len(t, cmds, 1)
	cmds, err = f.ctl.Commands(ctx, "edge-a")
	require.NoError(t, err)
	require.Empty(t, cmds, "throttled")
	now = now.Add(2 * time.Hour)
	cmds, err = f.ctl.Commands(ctx, "edge-a")
	require.NoError(t, err)
	require.Len(t, cmds, 1, "resent after the interval")
	cmds, err = f.ctl.Commands(ctx, "edge-z")
	require.NoError(t, err)
	require.Empty(t, cmds, "a device in no group gets nothing")
}

func TestRuns(t *testing.T) {
	a := &store.Rollout{Name: "yolox-nano", Version: "0.1.2", SHA256: "ab12"}
	for _, tc := range []struct {
		name string
		ref  store.ModelRef
		want bool
	}{
		{"same model", store.ModelRef{Name: "yolox-nano", Version: "0.1.2", SHA256: "ab12"}, true},
		{"sha in other case", store.ModelRef{Name: "yolox-nano", Version: "0.1.2", SHA256: "AB12"}, true},
		{"no sha reported", store.ModelRef{Name: "yolox-nano", Version: "0.1.2"}, true},
		// A new version with the old weights (a manifest change) must
		// still be sent.
		{"same bytes, older version", store.ModelRef{Name: "yolox-nano", Version: "0.1.1", SHA256: "ab12"}, false},
		{"other bytes", store.ModelRef{Name: "yolox-nano", Version: "0.1.2", SHA256: "cd34"}, false},
		{"other model", store.ModelRef{Name: "yolov8n", Version: "0.1.2", SHA256: "ab12"}, false},
		{"nothing", store.ModelRef{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) { require.Equal(t, tc.want, runs(tc.ref, a)) })
	}
}
