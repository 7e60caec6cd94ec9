package store

import (
	"context"
	"encoding/json"
	"time"
)

// OutboxEvent is a case event to deliver to outside systems (webhooks,
// MQTT). It is written in the same transaction as the case change it
// describes, so an event exists exactly when its change does; a dispatcher
// then delivers it at least once to each sink named in Sinks.
type OutboxEvent struct {
	// ID is unique per event and the same for every sink, so receivers
	// can drop the repeats that at-least-once delivery brings.
	ID     string
	Kind   string // created, merged, transitioned, suppressed
	CaseID string
	At     time.Time
	// Payload is the JSON body sent as is.
	Payload json.RawMessage
	// Sinks are the names of the sinks that want this event; an event
	// for none is not stored.
	Sinks []string
}

// OutboxTx lets a transaction write case events. It is part of CaseTx.
type OutboxTx interface {
	Enqueue(ctx context.Context, e OutboxEvent) error
}

// OutboxItem is one event's delivery to one sink.
type OutboxItem struct {
	// Seq identifies the delivery; it grows with insertion order.
	Seq      int64
	EventID  string
	Sink     string
	Kind     string
	CaseID   string
	At       time.Time
	Payload  json.RawMessage
	Attempts int // including the one this claim starts
}

// Outbox is the store side of outbound delivery. Claims are leases: a
// claimed item is invisible to other claimers until its lease ends, so
// several replicas on one database deliver each item one at a time, and an
// item whose replica died is delivered again after the lease.
type Outbox interface {
	// ClaimOutbox leases up to limit undelivered items of the given sinks
	// that are due at now, oldest first, to owner until now+lease, and
	// counts an attempt on each.
	ClaimOutbox(ctx context.Context, owner string, sinks []string, now time.Time, lease time.Duration, limit int) ([]OutboxItem, error)
	// DeliveredOutbox marks an item delivered, even when owner's lease ran
	// out meanwhile: it did arrive.
	DeliveredOutbox(ctx context.Context, seq int64, owner string, at time.Time) error
	// FailedOutbox releases owner's lease on an item and makes it due again
	// at next, keeping errMsg as its last error.
	FailedOutbox(ctx context.Context, seq int64, owner string, next time.Time, errMsg string) error
	// PendingOutbox counts undelivered items by sink.
	PendingOutbox(ctx context.Context) (map[string]int, error)
	// PruneOutbox deletes items delivered before before and returns how
	// many; undelivered ones stay whatever their age.
	PruneOutbox(ctx context.Context, before time.Time) (int64, error)
}
