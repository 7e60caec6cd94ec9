package store

import (
	"context"
	"time"
)

// MergeTx is what an Assigner needs to merge a report into an existing
// case. It is part of CaseTx.
type MergeTx interface {
	// LockPlace serialises assignments for one place (camera, zone and
	// type) until the transaction ends, so that two reports of the same
	// violation arriving at once, possibly at two server replicas, cannot
	// both miss each other and open two cases.
	LockPlace(ctx context.Context, key string) error
	// Candidates returns the cases a report of q's place may join or be
	// suppressed by, newest first, at most MaxCandidates.
	Candidates(ctx context.Context, q CandidateQuery) ([]Candidate, error)
}

// MaxCandidates bounds Candidates' answer.
const MaxCandidates = 20

// CandidateQuery selects cases at one place (device, camera, zone, type):
// open cases (in OpenStatuses)
// last seen at or after SeenSince, and cases in SuppressStatus that entered
// it at or after SuppressSince.
type CandidateQuery struct {
	// Camera ids are a device's own: the place starts with the device.
	DeviceID      string
	CameraID      string
	ZoneID        string
	ViolationType string
	OpenStatuses  []string
	SeenSince     time.Time

	SuppressStatus string
	SuppressSince  time.Time
}

// Candidate is a case with the newest report's position and boxes.
type Candidate struct {
	ID          string
	Status      string
	LastSeen    time.Time
	StatusSince time.Time
	Location    *GeoPoint // the newest report's; nil when unknown
	Detections  []Detection
	FrameWidth  int
	FrameHeight int
}
