package rules

import (
	"github.com/xiuhua/xiuhua/edge/track"
	"github.com/xiuhua/xiuhua/edge/vision"
)

// FindingKind says how a violation was found, so evidence can say so
// without guessing from a class name.
type FindingKind int

const (
	// FindingTrack: one tracked object stayed in the zone for the dwell.
	FindingTrack FindingKind = iota
	// FindingPresence: detections, weak ones included, kept coming back
	// at the same place for the dwell (see Accumulation), whether or not
	// the tracker held one id through it.
	FindingPresence
	// FindingChange: the zone differs persistently from its reference
	// picture; there is no detected object.
	FindingChange
)

// String is the kind's name in logs and on annotated pictures.
func (k FindingKind) String() string {
	switch k {
	case FindingPresence:
		return "presence"
	case FindingChange:
		return "change"
	default:
		return "track"
	}
}

// Finding is the thing a violation is about: a tracked object, a place
// where weak detections accumulated, or a region that changed.
type Finding struct {
	Kind  FindingKind
	Class string // the detector class; "change" for FindingChange
	// Box is the object in frame pixels: the track's latest box, the
	// accumulated place's mean box, or the bounds of the changed cells.
	Box vision.Box
	// Score is the latest detection's; BestScore and MeanScore summarise
	// the stay (for a change: the share of the zone that changed).
	Score, BestScore, MeanScore float32
	// TrackID is the tracker's id for FindingTrack, 0 otherwise.
	TrackID uint64
	// Occupancy is, for FindingPresence, the time-weighted share of
	// looks that saw the object at its place.
	Occupancy float64
}

func trackFinding(tr track.Track) Finding {
	return Finding{Kind: FindingTrack, Class: tr.Class, Box: tr.Box, Score: tr.Score,
		BestScore: tr.BestScore, MeanScore: tr.MeanScore, TrackID: tr.ID}
}
