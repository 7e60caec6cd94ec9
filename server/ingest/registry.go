package ingest

import (
	"context"
	"errors"
	"sort"
	"sync"
	"time"

	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// Registry holds the devices whose control stream is open, one stream per
// device: a newer stream from the same device replaces the older one. Later
// versions send commands through it.
type Registry struct {
	m     *Metrics
	mu    sync.Mutex
	conns map[string]*Conn
}

func newRegistry(m *Metrics) *Registry {
	return &Registry{m: m, conns: map[string]*Conn{}}
}

// Conn is one device's open control stream.
type Conn struct {
	DeviceID    string
	Remote      string
	ConnectedAt time.Time

	cancel context.CancelCauseFunc // ends the stream's handler
	kick   chan struct{}           // asks the handler to poll the controls

	sendMu sync.Mutex
	send   func(*xiuhuav1.ServerMessage) error
}

// errReplaced ends a stream that a newer one from the same device replaced.
var errReplaced = errors.New("replaced by a newer connection from the same device")

// Send sends a message on the stream; it is safe to call from any goroutine.
func (c *Conn) Send(m *xiuhuav1.ServerMessage) error {
	c.sendMu.Lock()
	defer c.sendMu.Unlock()
	return c.send(m)
}

// add registers c and ends the stream it replaces, if any.
func (r *Registry) add(c *Conn) {
	r.mu.Lock()
	old := r.conns[c.DeviceID]
	r.conns[c.DeviceID] = c
	r.m.connected.Set(float64(len(r.conns)))
	r.mu.Unlock()
	if old != nil {
		old.cancel(errReplaced)
	}
}

// remove unregisters c unless a newer stream has replaced it.
func (r *Registry) remove(c *Conn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.conns[c.DeviceID] == c {
		delete(r.conns, c.DeviceID)
		r.m.connected.Set(float64(len(r.conns)))
	}
}

// Get returns the open stream of a device.
func (r *Registry) Get(deviceID string) (*Conn, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.conns[deviceID]
	return c, ok
}

// DeviceIDs returns the connected devices, sorted.
func (r *Registry) DeviceIDs() []string {
	r.mu.Lock()
	ids := make([]string, 0, len(r.conns))
	for id := range r.conns {
		ids = append(ids, id)
	}
	r.mu.Unlock()
	sort.Strings(ids)
	return ids
}

// Len is the number of connected devices.
func (r *Registry) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.conns)
}
