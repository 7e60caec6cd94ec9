// Package uplink is the edge box's gRPC client: it keeps the control stream
// to the server (Hello, then Heartbeats) and delivers the outbox, oldest
// first, acknowledging each item only once the server has stored it.
//
// Delivery follows Prometheus remote write: errors the server or the network
// may recover from are retried on the same item with capped exponential
// back-off, so items go out in order and none is skipped; a permanent refusal
// moves the item to the outbox's dead/ folder with the server's message.
//
// The device's token (Config.Token or TokenFile) goes with every call as
// "authorization: Bearer ..." metadata, only over TLS or to loopback. A
// refused token is not the report's fault: the item stays queued, retried
// with back-off and logged at error, until the token is fixed; a report
// whose signature the server refuses (rpcerr.ReasonBadSignature) is
// permanent.
package uplink

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/keepalive"

	"github.com/xiuhua/xiuhua/edge/identity"
	"github.com/xiuhua/xiuhua/edge/outbox"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// Client connects an edge box to the server. Create it with New and start it
// with Run.
type Client struct {
	cfg       Config
	outbox    *outbox.Outbox
	identity  *identity.Identity
	hello     func() *xiuhuav1.Hello
	heartbeat func() *xiuhuav1.Heartbeat
	logger    *slog.Logger
	creds     credentials.TransportCredentials
	running   atomic.Bool
	api       atomic.Pointer[xiuhuav1.EdgeServiceClient] // set by Run
	commands
}

// New checks cfg and returns a Client. hello is called at each (re)connect
// and heartbeat at each beat, from the control loop only; either may be nil
// or return nil.
// The Client sets Hello.DeviceId, Hello.PublicKey, Heartbeat.SentAt and the
// Heartbeat's outbox fields itself. logger may be nil; the caller adds the
// component attribute.
func New(cfg Config, ob *outbox.Outbox, id *identity.Identity,
	hello func() *xiuhuav1.Hello, heartbeat func() *xiuhuav1.Heartbeat, logger *slog.Logger,
) (*Client, error) {
	if ob == nil || id == nil {
		return nil, errors.New("uplink: outbox and identity are required")
	}
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("uplink config: %w", err)
	}
	creds, err := cfg.TLS.credentials()
	if err != nil {
		return nil, fmt.Errorf("uplink config: %w", err)
	}
	newHello := func() *xiuhuav1.Hello {
		if hello != nil {
			if h := hello(); h != nil {
				return h
			}
		}
		return &xiuhuav1.Hello{}
	}
	newBeat := func() *xiuhuav1.Heartbeat {
		if heartbeat != nil {
			if hb := heartbeat(); hb != nil {
				return hb
			}
		}
		return &xiuhuav1.Heartbeat{}
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Client{
		cfg:       cfg,
		outbox:    ob,
		identity:  id,
		hello:     newHello,
		heartbeat: newBeat,
		logger:    logger.With("server", cfg.ServerAddr),
		creds:     creds,
		commands:  commands{replies: make(chan *xiuhuav1.EdgeMessage, replyQueue)},
	}, nil
}

// Run connects to the server and runs the control loop, the sender loop and
// a stats logger until ctx is done. It returns once all three have stopped
// and the connection is closed: nil after ctx is done, an error only when the
// connection cannot be set up. Run may be called once.
//
// Stopping in the middle of a delivery leaves the item queued; the server
// stores it once however often it is sent.
func (c *Client) Run(ctx context.Context) error {
	if !c.running.CompareAndSwap(false, true) {
		return errors.New("uplink: Run called twice")
	}
	dialOpts := []grpc.DialOption{grpc.WithTransportCredentials(c.creds)}
	if c.cfg.Token != "" || c.cfg.TokenFile != "" {
		dialOpts = append(dialOpts, grpc.WithPerRPCCredentials(deviceToken{
			token: c.cfg.Token, file: c.cfg.TokenFile, plaintext: c.cfg.TLS.Insecure}))
	}
	conn, err := grpc.NewClient(c.cfg.ServerAddr, append(dialOpts,
		grpc.WithUserAgent("xiuhua-edge"),
		grpc.WithConnectParams(grpc.ConnectParams{
			Backoff: backoff.Config{
				BaseDelay:  c.cfg.RetryMin,
				Multiplier: 2,
				Jitter:     0.2,
				MaxDelay:   c.cfg.RetryMax,
			},
			MinConnectTimeout: 20 * time.Second,
		}),
		// Finds a dead connection when nothing else moves. The server's
		// keepalive.EnforcementPolicy.MinTime must be at most Time.
		grpc.WithKeepaliveParams(keepalive.ClientParameters{
			Time:    time.Minute,
			Timeout: 20 * time.Second,
		}),
	)...)
	if err != nil {
		return fmt.Errorf("uplink: %w", err)
	}
	api := xiuhuav1.NewEdgeServiceClient(conn)
	c.api.Store(&api)
	defer c.api.Store(nil)

	var wg sync.WaitGroup
	wg.Go(func() { c.controlLoop(ctx, api) })
	wg.Go(func() { c.sendLoop(ctx, api) })
	wg.Go(func() { c.statsLoop(ctx) })
	wg.Wait()
	// Closed last: the loops' streams are finished by now.
	if err := conn.Close(); err != nil {
		c.logger.Warn("closing the connection", "err", err)
	}
	c.logger.Info("uplink stopped")
	return nil
}

// statsLoop logs the outbox size and age now and then.
func (c *Client) statsLoop(ctx context.Context) {
	t := time.NewTicker(c.cfg.StatsInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n, bytes, age := c.outbox.Stats()
		level := slog.LevelDebug
		if n > 0 {
			level = slog.LevelInfo
		}
		c.logger.Log(ctx, level, "outbox", "pending", n, "bytes", bytes,
			"oldest_age", age.Round(time.Second), "dead", c.outbox.DeadCount())
	}
}

// limiter lets a warning through at most once per interval and counts the
// rest. Each loop owns its own; not safe for concurrent use.
type limiter struct {
	every      time.Duration
	last       time.Time
	suppressed int
}

// allow reports whether to log now, and how many were held back since.
func (l *limiter) allow() (bool, int) {
	if now := time.Now(); now.Sub(l.last) >= l.every {
		l.last = now
		n := l.suppressed
		l.suppressed = 0
		return true, n
	}
	l.suppressed++
	return false, 0
}
