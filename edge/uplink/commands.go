package uplink

import (
	"context"
	"errors"
	"sync"

	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// CommandHandler takes a command from the server (a re-check, a model
// assignment). It is called from the control loop and must not block: long
// work goes to a goroutine of the handler's own, and its answer goes back
// through Client.Reply.
type CommandHandler func(ctx context.Context, m *xiuhuav1.ServerMessage)

// replyQueue holds the edge's answers until a control stream can take them.
// Answers are few and small; when the server is away for long, the oldest
// go first, because the server asks again for what it still wants.
const replyQueue = 64

// ErrNotRunning is returned by FetchModel before Run has connected.
var ErrNotRunning = errors.New("uplink: not running")

// OnCommand registers h for the server's commands; call it before Run.
// Every handler sees every command and ignores the kinds it does not own.
func (c *Client) OnCommand(h CommandHandler) {
	c.cmdMu.Lock()
	defer c.cmdMu.Unlock()
	c.handlers = append(c.handlers, h)
}

// Reply queues an edge message (a RecheckResult, a ModelStatus) for the
// open control stream, or the next one. It never blocks.
func (c *Client) Reply(m *xiuhuav1.EdgeMessage) {
	for {
		select {
		case c.replies <- m:
			return
		default:
		}
		select {
		case old := <-c.replies:
			c.logger.Warn("control reply dropped: the queue is full", "kind", kindOf(old))
		default:
		}
	}
}

// FetchModel opens a FetchModel stream on the client's connection. It fails
// with ErrNotRunning before Run has set the connection up.
func (c *Client) FetchModel(ctx context.Context, req *xiuhuav1.FetchModelRequest) (xiuhuav1.EdgeService_FetchModelClient, error) {
	api := c.api.Load()
	if api == nil {
		return nil, ErrNotRunning
	}
	return (*api).FetchModel(ctx, req)
}

func (c *Client) dispatch(ctx context.Context, m *xiuhuav1.ServerMessage) bool {
	c.cmdMu.Lock()
	hs := c.handlers
	c.cmdMu.Unlock()
	for _, h := range hs {
		h(ctx, m)
	}
	return len(hs) > 0
}

type commands struct {
	cmdMu    sync.Mutex
	handlers []CommandHandler
	replies  chan *xiuhuav1.EdgeMessage
}
