package notify

import (
	"context"
	"time"
)

// Sink is one outside system that takes case events.
type Sink interface {
	// Name identifies the sink in the outbox and in metrics; it must stay
	// the same across restarts, or undelivered events wait for a sink
	// that no longer exists.
	Name() string
	// Deliver sends one event and returns nil only when the receiver has
	// it. It honours ctx and its own timeout.
	Deliver(ctx context.Context, m Message) error
	// Close releases the sink's connections.
	Close()
}

// Message is one event as a sink sends it.
type Message struct {
	ID      string // unique per event, the same for every sink and attempt
	Kind    string // created, merged, transitioned, suppressed
	CaseID  string
	At      time.Time
	Payload []byte // JSON
}
