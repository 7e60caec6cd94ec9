package ingest

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/xiuhua/xiuhua/server/store"

	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

type controlStream = grpc.BidiStreamingServer[xiuhuav1.EdgeMessage, xiuhuav1.ServerMessage]

var errShuttingDown = status.Error(codes.Unavailable, "server shutting down")

// Connect is a device's control stream: Hello first, answered by Welcome;
// then Heartbeats, each answered by a HeartbeatAck.
func (s *Service) Connect(stream controlStream) error {
	ctx, cancel := context.WithCancelCause(stream.Context())
	defer cancel(nil)

	// Recv blocks; a goroutine feeds the loop below so that it can also
	// watch for shutdown and replacement. It ends when the handler returns:
	// gRPC then cancels the stream and Recv fails.
	msgs := make(chan *xiuhuav1.EdgeMessage)
	recvErr := make(chan error, 1)
	go func() {
		for {
			m, err := stream.Recv()
			if err != nil {
				recvErr <- err
				return
			}
			select {
			case msgs <- m:
			case <-ctx.Done():
				return
			}
		}
	}()
	ended := func(err error) error {
		if errors.Is(err, io.EOF) {
			return nil
		}
		return err
	}

	timer := time.NewTimer(s.opts.HelloTimeout)
	defer timer.Stop()
	var hello *xiuhuav1.Hello
	select {
	case m := <-msgs:
		if hello = m.GetHello(); hello == nil {
			return status.Errorf(codes.InvalidArgument, "the first message on the control stream must be a Hello, got %T", m.GetMsg())
		}
	case err := <-recvErr:
		return ended(err)
	case <-timer.C:
		return status.Errorf(codes.DeadlineExceeded, "no Hello within %s", s.opts.HelloTimeout)
	case <-s.closing:
		return errShuttingDown
	case <-ctx.Done():
		return status.FromContextError(ctx.Err()).Err()
	}
	if err := validateHello(hello); err != nil {
		return status.Error(codes.InvalidArgument, err.Error())
	}
	if err := s.authorize(ctx, hello.DeviceId, ""); err != nil {
		s.log.Warn("device refused", "device_id", hello.DeviceId, "err", err)
		return err
	}
	log := s.log.With("device_id", hello.DeviceId)
	if s.opts.CheckKey != nil {
		if err := s.opts.CheckKey(ctx, hello.DeviceId, hello.PublicKey); err != nil {
			log.Warn("device refused: public key", "err", err)
			return err
		}
	}
	// A camera the registry does not list for this device would have every
	// report refused; say so now, when the operator is looking, rather
	// than at the first violation.
	for _, c := range hello.Cameras {
		if err := s.authorize(ctx, hello.DeviceId, c.Id); err != nil {
			log.Warn("device announces a camera it may not report for: its reports will be refused until the device registry lists it",
				"camera_id", c.Id, "err", err)
		}
	}
	if err := s.hello(ctx, log, hello); err != nil {
		return storageStatus(log, codes.Unavailable, fmt.Sprintf("store device %q", hello.DeviceId), err)
	}

	conn := &Conn{
		DeviceID:    hello.DeviceId,
		ConnectedAt: time.Now(),
		cancel:      cancel,
		kick:        make(chan struct{}, 1),
		send:        stream.Send,
	}
	if p, ok := peer.FromContext(ctx); ok {
		conn.Remote = p.Addr.String()
	}
	s.registry.add(conn)
	defer s.registry.remove(conn)
	log.Info("device connected", "remote", conn.Remote, "version", hello.SoftwareVersion,
		"cameras", len(hello.Cameras), "signed", len(hello.PublicKey) > 0)
	defer log.Info("device disconnected")

	if err := conn.Send(&xiuhuav1.ServerMessage{Msg: &xiuhuav1.ServerMessage_Welcome{Welcome: &xiuhuav1.Welcome{
		ServerTime:               timestamppb.Now(),
		HeartbeatIntervalSeconds: uint32(s.opts.HeartbeatInterval / time.Second),
	}}}); err != nil {
		return err
	}
	if err := s.sendCommands(ctx, log, conn); err != nil {
		return err
	}
	// allowed asks the registry again: a revoked box loses its stream at
	// its next heartbeat, and nothing it sends after is acted on.
	allowed := func() error {
		if s.opts.Reauthorize == nil {
			return nil
		}
		err := s.opts.Reauthorize(ctx, hello.PublicKey)
		if err != nil {
			log.Warn("device no longer allowed: closing its control stream", "err", err)
		}
		return err
	}
	var lastWrite time.Time // of a heartbeat to the database
	for {
		select {
		case m := <-msgs:
			if err := allowed(); err != nil {
				return err
			}
			switch x := m.Msg.(type) {
			case *xiuhuav1.EdgeMessage_Heartbeat:
				s.m.heartbeats.Inc()
				// Heartbeats come every few seconds from every box; the
				// database hears of them once a HeartbeatWriteInterval.
				if now := time.Now(); now.Sub(lastWrite) >= s.opts.HeartbeatWriteInterval {
					lastWrite = now
					s.heartbeat(ctx, log, hello.DeviceId, x.Heartbeat)
				}
				if err := conn.Send(&xiuhuav1.ServerMessage{Msg: &xiuhuav1.ServerMessage_HeartbeatAck{
					HeartbeatAck: &xiuhuav1.HeartbeatAck{ServerTime: timestamppb.Now()},
				}}); err != nil {
					return err
				}
				if ms := x.Heartbeat.GetModelStatus(); ms != nil {
					s.handleEdge(ctx, log, hello.DeviceId, &xiuhuav1.EdgeMessage{Msg: &xiuhuav1.EdgeMessage_ModelStatus{ModelStatus: ms}})
				}
				if err := s.sendCommands(ctx, log, conn); err != nil {
					return err
				}
			case *xiuhuav1.EdgeMessage_RecheckResult, *xiuhuav1.EdgeMessage_ModelStatus:
				s.handleEdge(ctx, log, hello.DeviceId, m)
			case *xiuhuav1.EdgeMessage_Hello:
				return status.Error(codes.InvalidArgument, "Hello sent twice on one control stream")
			default:
				// A newer edge's message kind: ignore, as edges ignore ours.
				log.Debug("unknown control message", "type", fmt.Sprintf("%T", m.GetMsg()))
			}
		case <-conn.kick:
			if err := allowed(); err != nil {
				return err
			}
			if err := s.sendCommands(ctx, log, conn); err != nil {
				return err
			}
		case err := <-recvErr:
			return ended(err)
		case <-s.closing:
			return errShuttingDown
		case <-ctx.Done():
			if errors.Is(context.Cause(ctx), errReplaced) {
				log.Info("control stream replaced by a newer one")
				return status.Error(codes.Aborted, errReplaced.Error())
			}
			return status.FromContextError(ctx.Err()).Err()
		}
	}
}

func validateHello(h *xiuhuav1.Hello) error {
	var problems []string
	if p := checkText("device_id", h.DeviceId, true); p != "" {
		problems = append(problems, p)
	}
	if n := len(h.PublicKey); n != 0 && n != ed25519.PublicKeySize {
		problems = append(problems, fmt.Sprintf("public_key has %d bytes, want %d (ed25519) or none", n, ed25519.PublicKeySize))
	}
	for i, c := range h.Cameras {
		if p := checkPoint(fmt.Sprintf("cameras[%d].location", i), c.GetLocation()); p != "" {
			problems = append(problems, p)
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("invalid Hello: %s", strings.Join(problems, "; "))
	}
	return nil
}

// helloCamera is how a device's cameras are kept in the database.
type helloCamera struct {
	ID   string   `json:"id"`
	Name string   `json:"name,omitempty"`
	Lat  *float64 `json:"lat,omitempty"`
	Lon  *float64 `json:"lon,omitempty"`
}

func (s *Service) hello(ctx context.Context, log *slog.Logger, h *xiuhuav1.Hello) error {
	cams := make([]helloCamera, 0, len(h.Cameras))
	for _, c := range h.Cameras {
		hc := helloCamera{ID: c.Id, Name: c.Name}
		if c.Location != nil {
			hc.Lat, hc.Lon = &c.Location.Lat, &c.Location.Lon
		}
		cams = append(cams, hc)
	}
	camJSON, err := json.Marshal(cams)
	if err != nil {
		return err
	}
	if old, err := s.opts.Store.GetDevice(ctx, h.DeviceId); err == nil && len(old.PublicKey) > 0 && !bytes.Equal(old.PublicKey, h.PublicKey) {
		// With a registry (CheckKey) this is a rekeyed box; without one
		// (auth.devices open) the newest Hello wins, loudly.
		log.Warn("device public key changed")
	}
	return s.opts.Store.UpsertDevice(ctx, &store.Device{
		ID:        h.DeviceId,
		PublicKey: h.PublicKey,
		Hostname:  h.Hostname,
		Version:   h.SoftwareVersion,
		Cameras:   camJSON,
		LastSeen:  time.Now(),
	})
}

func (s *Service) heartbeat(ctx context.Context, log *slog.Logger, deviceID string, hb *xiuhuav1.Heartbeat) {
	st, err := protojson.MarshalOptions{UseProtoNames: true}.Marshal(hb)
	if err != nil {
		log.Warn("encode heartbeat", "err", err)
		return
	}
	if err := s.opts.Store.Heartbeat(ctx, deviceID, time.Now(), st); err != nil {
		// Not fatal: the next heartbeat tries again.
		log.Warn("store heartbeat", "err", err)
	}
}
