package recheck

import (
	"encoding/json"
	"fmt"

	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/store"
)

// transitionEvents are the outbox rows announcing the re-check's step t on
// case c, shaped like an officer's (cases' "transitioned" event), so that
// the city platform hears of it the same way.
func (s *Service) transitionEvents(c *store.Case, t store.Transition) ([]store.OutboxEvent, error) {
	if s.opts.Events == nil {
		return nil, nil
	}
	sinks := s.opts.Events.SinksFor(cases.EventTransitioned)
	if len(sinks) == 0 {
		return nil, nil
	}
	ec := cases.EventCase{ID: c.ID, Status: t.To, ViolationType: c.ViolationType, DeviceID: c.DeviceID,
		CameraID: c.CameraID, ZoneID: c.ZoneID, CategoryCode: c.CategoryCode, SubcategoryCode: c.SubcategoryCode,
		GridCode: c.GridCode, Unit: c.Unit, Version: t.Version + 1}
	if c.Location != nil {
		ec.Location = &cases.EventGeo{Lat: c.Location.Lat, Lon: c.Location.Lon}
	}
	e := cases.Event{ID: newID(), Event: cases.EventTransitioned, At: t.At.UTC(), Case: ec,
		Transition: &cases.EventTransition{From: t.From, To: t.To, Action: t.Action, Actor: t.Actor, Role: t.Role, Comment: t.Comment}}
	body, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("case event: %w", err)
	}
	return []store.OutboxEvent{{ID: e.ID, Kind: e.Event, CaseID: c.ID, At: e.At, Payload: body, Sinks: sinks}}, nil
}
