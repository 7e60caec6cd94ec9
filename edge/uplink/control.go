package uplink

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/xiuhua/xiuhua/internal/backoff"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// silentBeats is how many heartbeat intervals without a word from the server
// end a control stream that looks open.
const silentBeats = 3

// controlLoop keeps a Connect stream open, reconnecting with back-off.
func (c *Client) controlLoop(ctx context.Context, api xiuhuav1.EdgeServiceClient) {
	b := backoff.Backoff{Min: c.cfg.RetryMin, Max: c.cfg.RetryMax}
	warn := limiter{every: 10 * time.Second}
	for {
		err := c.session(ctx, api, &b)
		if ctx.Err() != nil {
			return
		}
		if ok, n := warn.allow(); ok {
			c.logger.Warn("control stream down", "err", err, "attempt", b.Attempt()+1, "suppressed", n)
		}
		if !b.Sleep(ctx) {
			return
		}
	}
}

// session runs one Connect stream until it fails or ctx is done. A Welcome
// resets b.
func (c *Client) session(ctx context.Context, api xiuhuav1.EdgeServiceClient, b *backoff.Backoff) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := api.Connect(ctx)
	if err != nil {
		return err
	}

	// The receiver hands every message to this goroutine, which alone sends.
	msgs := make(chan *xiuhuav1.ServerMessage)
	recvErr := make(chan error, 1)
	recvDone := make(chan struct{})
	defer func() { cancel(); <-recvDone }()
	go func() {
		defer close(recvDone)
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
	// After a failed Send, the stream's status comes from Recv.
	sendErr := func(err error) error {
		if errors.Is(err, io.EOF) {
			select {
			case err = <-recvErr:
			case <-ctx.Done():
			}
		}
		return err
	}

	hello := c.hello()
	hello.DeviceId = c.cfg.DeviceID
	hello.PublicKey = c.identity.PublicKey()
	if err := stream.Send(&xiuhuav1.EdgeMessage{Msg: &xiuhuav1.EdgeMessage_Hello{Hello: hello}}); err != nil {
		return sendErr(err)
	}

	interval := c.cfg.HeartbeatInterval
	tick := time.NewTicker(interval)
	defer tick.Stop()
	lastHeard := time.Now()
	unknown := map[string]bool{}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-recvErr:
			if errors.Is(err, io.EOF) {
				err = errors.New("server closed the control stream")
			}
			return err
		case m := <-msgs:
			lastHeard = time.Now()
			switch x := m.GetMsg().(type) {
			case *xiuhuav1.ServerMessage_Welcome:
				b.Reset()
				if s := x.Welcome.GetHeartbeatIntervalSeconds(); s > 0 && time.Duration(s)*time.Second != interval {
					interval = time.Duration(s) * time.Second
					tick.Reset(interval)
				}
				c.logger.Info("connected", "server_time", x.Welcome.GetServerTime().AsTime(),
					"heartbeat_interval", interval)
			case *xiuhuav1.ServerMessage_HeartbeatAck:
				c.logger.Debug("heartbeat acknowledged")
			case *xiuhuav1.ServerMessage_Recheck, *xiuhuav1.ServerMessage_ModelAssignment:
				if !c.dispatch(ctx, m) {
					c.logger.Info("ignoring a server command: nothing on this edge handles it", "kind", kindOf(m))
				}
			default:
				// A newer server's command; log each kind once a stream.
				kind := fmt.Sprintf("%T", x)
				if x == nil {
					kind = "a field this edge does not know"
				}
				if !unknown[kind] {
					unknown[kind] = true
					c.logger.Info("ignoring a server message of an unknown kind", "kind", kind)
				}
			}
		case r := <-c.replies:
			if err := stream.Send(r); err != nil {
				// Back in the queue for the next stream.
				c.Reply(r)
				return sendErr(err)
			}
		case <-tick.C:
			if silent := time.Since(lastHeard); silent > silentBeats*interval {
				return fmt.Errorf("server silent for %v", silent.Round(time.Second))
			}
			if err := stream.Send(&xiuhuav1.EdgeMessage{Msg: &xiuhuav1.EdgeMessage_Heartbeat{Heartbeat: c.beat()}}); err != nil {
				return sendErr(err)
			}
		}
	}
}

func (c *Client) beat() *xiuhuav1.Heartbeat {
	hb := c.heartbeat()
	n, _, age := c.outbox.Stats()
	hb.SentAt = timestamppb.Now()
	hb.OutboxPending = int64(n)
	hb.OutboxOldestAgeSeconds = age.Seconds()
	return hb
}

// kindOf names a message's kind for logs, e.g. "*xiuhuav1.ServerMessage_Recheck".
func kindOf(m interface{ ProtoReflect() protoreflect.Message }) string {
	msg := m.ProtoReflect()
	od := msg.Descriptor().Oneofs().ByName("msg")
	if od == nil {
		return string(msg.Descriptor().Name())
	}
	if f := msg.WhichOneof(od); f != nil {
		return string(f.Name())
	}
	return "unknown"
}
