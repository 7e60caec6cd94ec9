package cases

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/xiuhua/xiuhua/server/store"
)

// Case event kinds, as outside systems see them.
const (
	EventCreated      = "created"      // a report opened a case
	EventMerged       = "merged"       // a report joined an open case
	EventTransitioned = "transitioned" // an officer moved a case
	EventSuppressed   = "suppressed"   // a report repeated a rejected case
)

// EventKinds lists every event kind.
var EventKinds = []string{EventCreated, EventMerged, EventTransitioned, EventSuppressed}

// Events says who wants case events. The notify package implements it;
// cases only asks, so that it knows nothing of webhooks or MQTT. Events
// go to the store's outbox in the transaction of the change itself: an
// event is announced exactly when its change commits.
type Events interface {
	// SinksFor names the sinks that want events of kind; none means the
	// event is not written at all.
	SinksFor(kind string) []string
}

// Event is the JSON body of a case event.
type Event struct {
	// ID is unique per event; at-least-once delivery may repeat it.
	ID         string           `json:"id"`
	Event      string           `json:"event"`
	At         time.Time        `json:"at"`
	Case       EventCase        `json:"case"`
	Report     *EventReport     `json:"report,omitempty"`
	Transition *EventTransition `json:"transition,omitempty"`
}

// EventCase is the case an event is about, as far as the change knows it.
type EventCase struct {
	ID string `json:"id"`
	// Number is the readable case number, YYYYMMDD-NNNN.
	Number          string    `json:"number,omitempty"`
	Status          string    `json:"status"`
	ViolationType   string    `json:"violation_type"`
	DeviceID        string    `json:"device_id,omitempty"`
	CameraID        string    `json:"camera_id,omitempty"`
	ZoneID          string    `json:"zone_id,omitempty"`
	CategoryCode    string    `json:"category_code,omitempty"`
	SubcategoryCode string    `json:"subcategory_code,omitempty"`
	GridCode        string    `json:"grid_code,omitempty"`
	Unit            string    `json:"unit,omitempty"`
	Assignee        string    `json:"assignee,omitempty"` // the handling officer dispatched to
	Location        *EventGeo `json:"location,omitempty"`
	Version         int       `json:"version,omitempty"`
}

// EventGeo is a WGS-84 position.
type EventGeo struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// EventReport is the report that opened, joined or repeated a case.
type EventReport struct {
	EventID    string    `json:"event_id"`
	ObservedAt time.Time `json:"observed_at"`
}

// EventTransition is an officer's step.
type EventTransition struct {
	From    string `json:"from"`
	To      string `json:"to"`
	Action  string `json:"action"`
	Actor   string `json:"actor"`
	Role    string `json:"role"`
	Comment string `json:"comment,omitempty"`
}

// TransitionEvents are the outbox rows announcing step t on case c (as c
// will be after it) to the sinks events names for such steps; none when
// events is nil or no sink wants them. Service.Transition writes them with
// an officer's step; a step applied elsewhere (the AI re-check's) writes
// them too, so that outside systems hear of both alike.
func TransitionEvents(events Events, c *store.Case, t store.Transition) ([]store.OutboxEvent, error) {
	o, ok, err := outboxEvent(events, transitionEvent(c, t))
	if err != nil || !ok {
		return nil, err
	}
	return []store.OutboxEvent{o}, nil
}

// outboxEvent turns e into the store's outbox row, or returns ok false
// when no sink wants it.
func outboxEvent(events Events, e Event) (store.OutboxEvent, bool, error) {
	if events == nil {
		return store.OutboxEvent{}, false, nil
	}
	sinks := events.SinksFor(e.Event)
	if len(sinks) == 0 {
		return store.OutboxEvent{}, false, nil
	}
	// Random (version 4): unique without coordination between replicas.
	e.ID = uuid.NewString()
	body, err := json.Marshal(e)
	if err != nil {
		return store.OutboxEvent{}, false, fmt.Errorf("case event %s: %w", e.Event, err)
	}
	return store.OutboxEvent{ID: e.ID, Kind: e.Event, CaseID: e.Case.ID, At: e.At, Payload: body, Sinks: sinks}, true, nil
}

// emit writes e to the outbox of the report transaction tx.
func (s *Service) emit(ctx context.Context, tx store.CaseTx, e Event) error {
	if s.cfg.Events == nil || len(s.cfg.Events.SinksFor(e.Event)) == 0 {
		return nil
	}
	n, err := tx.CaseNumber(ctx, e.Case.ID)
	if err != nil {
		return fmt.Errorf("case event %s: number of case %s: %w", e.Event, e.Case.ID, err)
	}
	e.Case.Number = n
	o, ok, err := outboxEvent(s.cfg.Events, e)
	if err != nil || !ok {
		return err
	}
	return tx.Enqueue(ctx, o)
}

// reportEvent is the event of a report filed with case id.
func reportEvent(kind, id, status string, r *store.Report, nc *store.NewCase, at time.Time) Event {
	c := EventCase{ID: id, Status: status, ViolationType: r.ViolationType, DeviceID: r.DeviceID,
		CameraID: r.CameraID, ZoneID: r.ZoneID}
	if nc != nil {
		c.CategoryCode, c.SubcategoryCode, c.GridCode, c.Unit = nc.CategoryCode, nc.SubcategoryCode, nc.GridCode, nc.Unit
		c.Version = 1
	}
	if r.Location != nil {
		c.Location = &EventGeo{Lat: r.Location.Lat, Lon: r.Location.Lon}
	}
	return Event{Event: kind, At: at.UTC(), Case: c,
		Report: &EventReport{EventID: r.EventID, ObservedAt: r.ObservedAt.UTC()}}
}
