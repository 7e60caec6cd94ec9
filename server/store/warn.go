package store

import (
	"context"
	"time"
)

// Warn-first outcomes (先劝导、后立案) of a report, as stored.
const (
	// WarnNotCorrected: warned, still there after grace (已劝导未整改).
	WarnNotCorrected = "not_corrected"
	// WarnFailed: the warning could not be played, so filed at once.
	WarnFailed = "warning_failed"
	// WarnQuietHours: not warned because of quiet hours.
	WarnQuietHours = "quiet_hours"
	// WarnCorrected: gone after the warning (自治); a record, never a case.
	WarnCorrected = "corrected"
)

// ActionWarned is the audit action of a case filed after a warning: its
// comment says 已劝导未整改 and when and how the warning was played.
const ActionWarned = "warned"

// Warn is what an edge box's warn-first flow did before sending a report;
// nil on a report filed without it.
type Warn struct {
	Outcome  string    `json:"outcome"`
	Reason   string    `json:"reason,omitempty"`
	Warnings []Warning `json:"warnings,omitempty"`
}

// Warning is one voice warning played (or tried) on site.
type Warning struct {
	At     time.Time `json:"at"`
	Player string    `json:"player"` // backchannel or http
	OK     bool      `json:"ok"`
	Error  string    `json:"error,omitempty"`
}

// Corrections are the "corrected after warning" records: violations gone
// after a warning. They are kept and counted, never cases.
type Corrections interface {
	// SaveCorrection stores a corrected record once per event id (the
	// report's Warn says corrected); gridCode is its place's grid cell.
	// duplicate is true when the event id was stored before, as a record
	// or as a case's report.
	SaveCorrection(ctx context.Context, r *Report, gridCode string) (duplicate bool, err error)
	// Autonomy counts warned violations corrected and filed, observed in
	// [From, To) of q, by type, grid cell and camera (自治率).
	Autonomy(ctx context.Context, q StatsQuery) (Autonomy, error)
}

// Autonomy is how warned violations ended, per type, grid cell ("" for
// none) and camera ("device/camera"). Maps hold only non-zero counts.
type Autonomy struct {
	Total    AutonomyCount
	ByType   map[string]AutonomyCount
	ByGrid   map[string]AutonomyCount
	ByCamera map[string]AutonomyCount
}

// AutonomyCount is how many warned violations were corrected after the
// warning and how many were filed as 已劝导未整改.
type AutonomyCount struct {
	Corrected int `json:"corrected"`
	Filed     int `json:"filed"`
}

// Rate is the share corrected after warning (自治率), 0 when none was
// warned.
func (c AutonomyCount) Rate() float64 {
	if n := c.Corrected + c.Filed; n > 0 {
		return float64(c.Corrected) / float64(n)
	}
	return 0
}

// WarnedComment is the audit comment of a case filed after a warning.
func WarnedComment(w *Warn) string {
	s := "已劝导未整改 (warned, not corrected)"
	if w.Outcome != WarnNotCorrected {
		s = "劝导未成 (warning not played): " + w.Reason
	}
	for _, p := range w.Warnings {
		state := "played"
		if !p.OK {
			state = "failed: " + p.Error
		}
		s += "; warning " + p.At.UTC().Format(time.RFC3339) + " via " + p.Player + " " + state
	}
	return s
}
