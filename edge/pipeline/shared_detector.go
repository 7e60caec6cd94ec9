package pipeline

import (
	"sync"

	"gocv.io/x/gocv"

	"github.com/xiuhua/xiuhua/edge/detect"
)

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
func (s *SharedDetector) Detect(img gocv.Mat) ([]detect.Detection, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.det.Detect(img)
}

// Info describes the model.
func (s *SharedDetector) Info() detect.ModelInfo { return s.det.Info() }
