package ingest

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"io"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/xiuhua/xiuhua/internal/reportsig"
	"github.com/xiuhua/xiuhua/internal/rpcerr"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

type control = grpc.BidiStreamingClient[xiuhuav1.EdgeMessage, xiuhuav1.ServerMessage]

func helloMsg(deviceID string, key ed25519.PublicKey) *xiuhuav1.EdgeMessage {
	return &xiuhuav1.EdgeMessage{Msg: &xiuhuav1.EdgeMessage_Hello{Hello: &xiuhuav1.Hello{
		DeviceId:        deviceID,
		SoftwareVersion: "0.1.0",
		Hostname:        "box-1",
		Cameras:         []*xiuhuav1.CameraInfo{{Id: "cam-7", Name: "东门", Location: &xiuhuav1.GeoPoint{Lat: 31.2, Lon: 121.4}}},
		PublicKey:       key,
	}}}
}

func heartbeatMsg(pending int64) *xiuhuav1.EdgeMessage {
	return &xiuhuav1.EdgeMessage{Msg: &xiuhuav1.EdgeMessage_Heartbeat{Heartbeat: &xiuhuav1.Heartbeat{
		SentAt: timestamppb.Now(),
		Cameras: []*xiuhuav1.CameraStatus{{CameraId: "cam-7", State: xiuhuav1.CameraState_CAMERA_STATE_STREAMING,
			FramesDecoded: 100, FramesDetected: 10}},
		OutboxPending: pending,
	}}}
}

// connect opens a control stream, says Hello and waits for Welcome.
func (e *env) connect(t *testing.T, ctx context.Context, deviceID string, key ed25519.PublicKey) control {
	t.Helper()
	c, err := e.client.Connect(ctx)
	require.NoError(t, err)
	require.NoError(t, c.Send(helloMsg(deviceID, key)))
	m, err := c.Recv()
	require.NoError(t, err)
	require.NotNil(t, m.GetWelcome(), "got %v", m)
	require.Equal(t, uint32(10), m.GetWelcome().HeartbeatIntervalSeconds)
	require.WithinDuration(t, time.Now(), m.GetWelcome().ServerTime.AsTime(), 5*time.Second)
	return c
}

func TestConnect(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	pub, _, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	c := e.connect(t, ctx, "edge-01", pub)

	require.Eventually(t, func() bool { return e.svc.Registry().Len() == 1 }, 5*time.Second, 10*time.Millisecond)
	require.Equal(t, []string{"edge-01"}, e.svc.Registry().DeviceIDs())
	require.Equal(t, 1.0, e.counter(t, "xiuhua_devices_connected"))
	d, err := e.store.GetDevice(ctx, "edge-01")
	require.NoError(t, err)
	require.Equal(t, []byte(pub), d.PublicKey)
	require.Equal(t, "box-1", d.Hostname)
	require.Equal(t, "0.1.0", d.Version)
	require.JSONEq(t, `[{"id":"cam-7","name":"东门","lat":31.2,"lon":121.4}]`, string(d.Cameras))
	firstSeen := d.LastSeen

	require.NoError(t, c.Send(heartbeatMsg(3)))
	m, err := c.Recv()
	require.NoError(t, err)
	require.NotNil(t, m.GetHeartbeatAck())
	d, err = e.store.GetDevice(ctx, "edge-01")
	require.NoError(t, err)
	require.False(t, d.LastSeen.Before(firstSeen))
	var st struct {
		OutboxPending string `json:"outbox_pending"`
		Cameras       []struct {
			CameraID string `json:"camera_id"`
			State    string `json:"state"`
		} `json:"cameras"`
	}
	require.NoError(t, json.Unmarshal(d.Status, &st))
	require.Equal(t, "3", st.OutboxPending) // protojson writes int64 as a string
	require.Equal(t, "cam-7", st.Cameras[0].CameraID)
	require.Equal(t, "CAMERA_STATE_STREAMING", st.Cameras[0].State)
	require.Equal(t, 1.0, e.counter(t, "xiuhua_heartbeats_total"))

	// The Conn in the registry can send on the stream.
	conn, ok := e.svc.Registry().Get("edge-01")
	require.True(t, ok)
	require.NoError(t, conn.Send(&xiuhuav1.ServerMessage{Msg: &xiuhuav1.ServerMessage_HeartbeatAck{HeartbeatAck: &xiuhuav1.HeartbeatAck{}}}))
	m, err = c.Recv()
	require.NoError(t, err)
	require.NotNil(t, m.GetHeartbeatAck())

	// Closing the stream ends the handler and unregisters the device.
	require.NoError(t, c.CloseSend())
	_, err = c.Recv()
	require.ErrorIs(t, err, io.EOF)
	require.Eventually(t, func() bool { return e.svc.Registry().Len() == 0 }, 5*time.Second, 10*time.Millisecond)
	require.Equal(t, 0.0, e.counter(t, "xiuhua_devices_connected"))
}

func TestConnectRefusals(t *testing.T) {
	tests := []struct {
		name string
		msgs []*xiuhuav1.EdgeMessage
		code codes.Code
		want string
	}{
		{"heartbeat first", []*xiuhuav1.EdgeMessage{heartbeatMsg(0)}, codes.InvalidArgument,
			"the first message on the control stream must be a Hello"},
		{"no device id", []*xiuhuav1.EdgeMessage{helloMsg("", nil)}, codes.InvalidArgument,
			"invalid Hello: device_id is required"},
		{"short key", []*xiuhuav1.EdgeMessage{helloMsg("edge-01", []byte("short"))}, codes.InvalidArgument,
			"public_key has 5 bytes, want 32 (ed25519) or none"},
		{"NaN camera location", []*xiuhuav1.EdgeMessage{func() *xiuhuav1.EdgeMessage {
			m := helloMsg("edge-01", nil)
			m.GetHello().Cameras[0].Location.Lat = math.NaN()
			return m
		}()}, codes.InvalidArgument, "cameras[0].location (NaN, 121.4)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			c, err := e.client.Connect(ctxT(t))
			require.NoError(t, err)
			for _, m := range tc.msgs {
				require.NoError(t, c.Send(m))
			}
			_, err = c.Recv()
			require.Equal(t, tc.code, status.Code(err), "%v", err)
			require.Contains(t, status.Convert(err).Message(), tc.want)
			require.Equal(t, 0, e.svc.Registry().Len())
		})
	}

	t.Run("hello twice", func(t *testing.T) {
		e := newEnv(t)
		c := e.connect(t, ctxT(t), "edge-01", nil)
		require.NoError(t, c.Send(helloMsg("edge-01", nil)))
		_, err := c.Recv()
		require.Equal(t, codes.InvalidArgument, status.Code(err), "%v", err)
	})

	t.Run("no hello in time", func(t *testing.T) {
		e := newEnv(t, func(o *Options) { o.HelloTimeout = 50 * time.Millisecond })
		c, err := e.client.Connect(ctxT(t))
		require.NoError(t, err)
		_, err = c.Recv()
		require.Equal(t, codes.DeadlineExceeded, status.Code(err), "%v", err)
	})
}

func TestConnectReplacedAndShutdown(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	old := e.connect(t, ctx, "edge-01", nil)
	newer := e.connect(t, ctx, "edge-01", nil)
	_, err := old.Recv()
	require.Equal(t, codes.Aborted, status.Code(err), "%v", err)
	require.Contains(t, status.Convert(err).Message(), "replaced by a newer connection")

	// The newer stream still works and stays registered.
	require.NoError(t, newer.Send(heartbeatMsg(0)))
	m, err := newer.Recv()
	require.NoError(t, err)
	require.NotNil(t, m.GetHeartbeatAck())
	require.Equal(t, []string{"edge-01"}, e.svc.Registry().DeviceIDs())

	e.svc.Shutdown()
	_, err = newer.Recv()
	require.Equal(t, codes.Unavailable, status.Code(err), "%v", err)
	require.Eventually(t, func() bool { return e.svc.Registry().Len() == 0 }, 5*time.Second, 10*time.Millisecond)
}

func TestSignature(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	pub, priv, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	_, otherPriv, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	c := e.connect(t, ctx, "edge-01", pub)
	defer c.CloseSend()

	snap := snapshot(5000)
	signed := func(eventID string, key ed25519.PrivateKey) *xiuhuav1.ViolationReport {
		r := newReport(eventID, snap)
		require.NoError(t, reportsig.Sign(key, r))
		return r
	}

	// A report signed with the key from Hello is stored as verified.
	resp, err := e.send(t, fullStream(signed("ev-signed", priv), snap))
	require.NoError(t, err)
	d, err := e.store.GetCase(ctx, resp.CaseId)
	require.NoError(t, err)
	require.True(t, d.Reports[0].SignatureVerified)
	// What was stored can be verified again later.
	require.True(t, ed25519.Verify(pub, d.Reports[0].Signed, d.Reports[0].Signature))

	tests := []struct {
		name   string
		report *xiuhuav1.ViolationReport
	}{
		{"tampered camera", func() *xiuhuav1.ViolationReport {
			r := signed("ev-tampered", priv)
			r.CameraId = "cam-8"
			return r
		}()},
		{"tampered evidence hash", func() *xiuhuav1.ViolationReport {
			r := signed("ev-tampered-hash", priv)
			r.Evidence[0].Size++
			return r
		}()},
		{"other key", signed("ev-other", otherPriv)},
		{"unsigned", newReport("ev-unsigned", snap)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.send(t, fullStream(tc.report, snap))
			require.Equal(t, codes.Unauthenticated, status.Code(err), "%v", err)
			require.Contains(t, status.Convert(err).Message(), `signature check with the key of device "edge-01" failed`)
			require.Equal(t, rpcerr.ReasonBadSignature, rpcerr.Reason(err), "told apart from bad credentials: the edge gives up on it")
			_, err = e.store.ReportCase(ctx, tc.report.EventId)
			require.Error(t, err)
		})
	}
	require.Equal(t, float64(len(tests)), e.counter(t, "xiuhua_reports_refused_total", "reason", reasonBadSignature))

	// A device with no key on record: accepted, not verified.
	r := signed("ev-unknown-device", priv)
	r.DeviceId = "edge-02"
	require.NoError(t, reportsig.Sign(priv, r))
	resp, err = e.send(t, fullStream(r, snap))
	require.NoError(t, err)
	d, err = e.store.GetCase(ctx, resp.CaseId)
	require.NoError(t, err)
	require.False(t, d.Reports[0].SignatureVerified)
}

// TestDuplicateAfterKeyChange: a stored report resent after the device's key
// changed is still answered as a duplicate, so the edge's outbox clears.
func TestDuplicateAfterKeyChange(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	pub1, priv1, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	pub2, _, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	snap := snapshot(100)
	r := newReport("ev-rotate", snap)
	require.NoError(t, reportsig.Sign(priv1, r))

	c := e.connect(t, ctx, "edge-01", pub1)
	first, err := e.send(t, fullStream(r, snap))
	require.NoError(t, err)
	require.NoError(t, c.CloseSend())

	c2 := e.connect(t, ctx, "edge-01", pub2)
	defer c2.CloseSend()
	again, err := e.send(t, fullStream(r, snap))
	require.NoError(t, err)
	require.True(t, again.Duplicate)
	require.Equal(t, first.CaseId, again.CaseId)
}
