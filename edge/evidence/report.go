package evidence

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/xiuhua/xiuhua/edge/rules"
	"github.com/xiuhua/xiuhua/edge/vision"
	"github.com/xiuhua/xiuhua/internal/geo"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// Source says where a violation was seen.
type Source struct {
	DeviceID string
	CameraID string
	Location *xiuhuav1.GeoPoint
	Model    vision.ModelInfo
	// Ground maps image points to the ground when the camera is
	// calibrated; nil otherwise.
	Ground *geo.Homography
}

// Methods a violation is found by, as reports name them. A presence
// finding is made of detections too, so it goes as "detection": the wire
// keeps its two values, and the annotated picture says "presence".
const (
	MethodDetection = "detection"
	MethodChange    = "change"
)

// NewEventID makes an id that is unique without coordination (the server
// deduplicates on it) and sorts by time, which keeps outbox listings and
// logs readable.
func NewEventID(src Source, v rules.Violation) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s_%s_%d_%s", src.DeviceID, src.CameraID, v.At.UnixMilli(), hex.EncodeToString(b[:]))
}

// Report describes violation v seen by src in a w×h frame. The evidence
// list is filled in when the files are stored in the outbox.
func Report(src Source, v rules.Violation, w, h int) *xiuhuav1.ViolationReport {
	b := v.Object.Box
	r := &xiuhuav1.ViolationReport{
		EventId:       NewEventID(src, v),
		DeviceId:      src.DeviceID,
		CameraId:      src.CameraID,
		ZoneId:        v.Zone.ID,
		RuleId:        v.Rule.ID,
		ViolationType: v.Rule.Type,
		ObservedAt:    timestamppb.New(v.At),
		StartedAt:     timestamppb.New(v.Since),
		DwellSeconds:  v.Dwell().Seconds(),
		Detections: []*xiuhuav1.Detection{{
			ClassName: v.Object.Class,
			Score:     v.Object.Score,
			TrackId:   v.Object.TrackID,
			Box:       &xiuhuav1.Box{X: b.X1, Y: b.Y1, Width: b.X2 - b.X1, Height: b.Y2 - b.Y1},
		}},
		Location:    src.Location,
		Model:       &xiuhuav1.ModelRef{Name: src.Model.Name, Version: src.Model.Version, Sha256: src.Model.SHA256},
		FrameWidth:  uint32(w),
		FrameHeight: uint32(h),
		BestScore:   v.Object.BestScore,
		MeanScore:   v.Object.MeanScore,
		Method:      MethodDetection,
	}
	if v.Object.Kind == rules.FindingChange {
		r.Method = MethodChange
	}
	if src.Ground != nil {
		// The foot point: where the object stands on the calibrated plane.
		if g, ok := src.Ground.Ground(float64(b.X1+b.X2)/2, float64(b.Y2)); ok {
			r.ObjectLocation = &xiuhuav1.GeoPoint{Lat: g.Lat, Lon: g.Lon}
		}
	}
	return r
}

// ChangeClass is the class name of the pseudo-object a change watcher
// reports: the box around the cells that changed.
const ChangeClass = "change"
