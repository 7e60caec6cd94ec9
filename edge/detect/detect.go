// Package detect finds objects in frames with an ONNX model described by a
// manifest (models/*.yaml).
//
// A detector is a backend that runs the model (onnxruntime today; OpenCV DNN
// and execution providers later) joined to a decoder that reads one model
// family's output (YOLOX today), with the shared steps around them:
// letterbox pre-processing into a reused input tensor, class-aware NMS,
// per-class thresholds, a cap on detections, and mapping boxes back to the
// source frame.
package detect

import (
	"time"

	"gocv.io/x/gocv"
)

// Box is an axis-aligned box in source-image pixels: (X1, Y1) the top-left
// corner, (X2, Y2) the bottom-right, both pixel edges, so 0 ≤ X1 < X2 ≤ width.
type Box struct{ X1, Y1, X2, Y2 float32 }

// Detection is one object found in a frame.
type Detection struct {
	ClassID int     // index into the manifest's classes
	Class   string  // the class name
	Score   float32 // 0–1
	Box     Box
}

// ModelInfo identifies the model that made a detection, for evidence.
type ModelInfo struct {
	Name, Version, SHA256 string
}

// Detector finds objects in frames.
type Detector interface {
	// Detect returns the detections in img, a BGR 8UC3 frame of any size,
	// highest score first. The slice is the caller's. Callers must not call
	// Detect concurrently; implementations in this package serialise calls
	// anyway, so a mistake costs throughput, not memory safety.
	Detect(img gocv.Mat) ([]Detection, error)
	// Info identifies the loaded model.
	Info() ModelInfo
	// Close frees the model. Later calls to Detect return an error; Close is
	// idempotent.
	Close() error
}

// Options tune how a model is run; the zero value is a good default.
type Options struct {
	// LibraryPath is the onnxruntime shared library; "" searches as
	// ortlib.Find does. The first detector opened in a process decides it.
	LibraryPath string
	// IntraOpThreads caps the threads one inference uses; 0 leaves the
	// runtime's default (one per physical core).
	IntraOpThreads int
}

// Stats are a detector's counters since it was opened.
type Stats struct {
	Frames    uint64 // frames run through the model
	NonFinite uint64 // output boxes skipped because they held NaN or ±Inf
	// Total time in each step over all frames: letterbox and tensor fill,
	// the model run, and decoding with NMS and mapping back.
	Pre, Infer, Post time.Duration
}

// StatsReporter is implemented by the detectors of this package, for metrics
// and benchmarks; it is safe to call concurrently with Detect.
type StatsReporter interface {
	Stats() Stats
}
