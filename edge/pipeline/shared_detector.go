package pipeline

import (
	"sync"

	"gocv.io/x/gocv"

	"github.com/xiuhua/xiuhua/edge/detect"
	"github.com/xiuhua/xiuhua/edge/vision"
)

// ModelDetector is a Detector whose model may change between frames (a
// hot swap, see edge/modelswap): it says which model ran on each frame, so
// that a violation names the model that really found it rather than
// whichever one is loaded when its evidence is built.
type ModelDetector interface {
	Detector
	DetectModel(img gocv.Mat) ([]vision.Detection, vision.ModelInfo, error)
}

// detectWithModel runs d on img and returns the model that ran.
func detectWithModel(d Detector, img gocv.Mat) ([]vision.Detection, vision.ModelInfo, error) {
	if md, ok := d.(ModelDetector); ok {
		return md.DetectModel(img)
	}
	dets, err := d.Detect(img)
	return dets, d.Info(), err
}

// SharedDetector lets several camera loops use one model. A detector is
// not safe for concurrent use, and one model instance per camera would
// multiply memory for no gain on a CPU that is already saturated by one.
type SharedDetector struct {
	mu  sync.Mutex
	det detect.Detector
}

// NewSharedDetector wraps det.
func NewSharedDetector(det detect.Detector) *SharedDetector { return &SharedDetector{det: det} }

// Detect runs the model on img, waiting for other cameras' turns.
func (s *SharedDetector) Detect(img gocv.Mat) ([]vision.Detection, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.det.Detect(img)
}

// DetectModel is Detect that also names the model (always the same one).
func (s *SharedDetector) DetectModel(img gocv.Mat) ([]vision.Detection, vision.ModelInfo, error) {
	dets, err := s.Detect(img)
	return dets, s.det.Info(), err
}

// Info describes the model.
func (s *SharedDetector) Info() vision.ModelInfo { return s.det.Info() }
