// Package notify delivers case events to outside systems: signed webhooks
// and MQTT. The cases package writes each event to the store's outbox in
// the transaction of the change (one row per event and sink, chosen by a
// Router); a Dispatcher leases due rows, hands them to their Sink, and
// marks them delivered or due again after a capped, jittered back-off.
//
// Delivery is at least once: a sink may see an event again after a failed
// or timed-out attempt, or after a replica died mid-delivery and its lease
// ran out. Every event carries a unique id for receivers to drop repeats.
package notify
