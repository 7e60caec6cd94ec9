package ingest

import (
	"context"
	"log/slog"

	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// Control takes part in every device's control stream for one kind of
// command (re-checks, model rollouts). Controls are level-triggered: the
// wanted state lives in the database, so that whichever replica holds a
// device's stream sends what that device still owes, and a command lost with
// a broken stream is simply sent again.
type Control interface {
	// Commands returns what to send deviceID now. It is called after the
	// Welcome, after each heartbeat and when Kick names the device; it
	// should return a command again until the device has answered it,
	// throttled as the Control sees fit.
	Commands(ctx context.Context, deviceID string) ([]*xiuhuav1.ServerMessage, error)
	// Handle takes a device's message of a kind the stream does not know
	// itself (RecheckResult, ModelStatus); the ModelStatus inside a
	// heartbeat arrives here too, as an EdgeMessage of its own. A Control
	// ignores kinds it does not own.
	Handle(ctx context.Context, deviceID string, m *xiuhuav1.EdgeMessage) error
}

// AddControl adds c to every control stream opened from now on; call it
// before serving.
func (s *Service) AddControl(c Control) {
	s.controls = append(s.controls, c)
}

// Kick makes the stream of deviceID, when this replica holds it, ask the
// controls for commands now rather than at the next heartbeat.
func (s *Service) Kick(deviceID string) {
	if c, ok := s.registry.Get(deviceID); ok {
		select {
		case c.kick <- struct{}{}:
		default: // a poll is already due
		}
	}
}

// sendCommands asks every control for the device's commands and sends
// them. A control's error is logged, not fatal to the stream: the next
// poll tries again.
func (s *Service) sendCommands(ctx context.Context, log *slog.Logger, conn *Conn) error {
	for _, ctl := range s.controls {
		cmds, err := ctl.Commands(ctx, conn.DeviceID)
		if err != nil {
			log.Warn("control commands", "control", controlName(ctl), "err", err)
			continue
		}
		for _, m := range cmds {
			if err := conn.Send(m); err != nil {
				return err
			}
			s.m.commands.Inc()
		}
	}
	return nil
}

// handleEdge passes a device's message to the controls.
func (s *Service) handleEdge(ctx context.Context, log *slog.Logger, deviceID string, m *xiuhuav1.EdgeMessage) {
	for _, ctl := range s.controls {
		if err := ctl.Handle(ctx, deviceID, m); err != nil {
			log.Warn("control message", "control", controlName(ctl), "err", err)
		}
	}
}

func controlName(c Control) string {
	if n, ok := c.(interface{ Name() string }); ok {
		return n.Name()
	}
	return "control"
}
