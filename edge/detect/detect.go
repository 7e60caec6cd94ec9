// Package detect finds objects in frames with an ONNX model described by a
// manifest (models/*.yaml).
//
// A detector is a backend that runs the model (onnxruntime with an ordered
// list of execution providers, or OpenCV DNN as a second, independent
// runtime) joined to a decoder that reads one model family's output (yolox,
// yolov5, yolov8, nms_free), with the shared steps around them: letterbox
// pre-processing into a reused input tensor, class-aware NMS, per-class
// thresholds, a cap on detections, and mapping boxes back to the source
// frame. Models with a dynamic batch dimension run several frames at once
// through DetectBatch.
package detect

import (
	"log/slog"
	"time"

	"gocv.io/x/gocv"

	"github.com/xiuhua/xiuhua/edge/vision"
)

// The value types a detector produces live in edge/vision, a leaf package
// without cgo; these names let the model code read as before.
type (
	Box       = vision.Box
	Detection = vision.Detection
	ModelInfo = vision.ModelInfo
)

// Detector finds objects in frames.
type Detector interface {
	// Detect returns the detections in img, a BGR 8UC3 frame of any size,
	// highest score first. The slice is the caller's. A model instance
	// serialises concurrent calls (a mistake costs throughput, not memory
	// safety); a Pool of several runs that many at once.
	Detect(img gocv.Mat) ([]Detection, error)
	// DetectBatch is Detect for several frames (from several cameras), in
	// as few model runs as the model allows: one run for up to MaxBatch
	// frames when its batch dimension is dynamic, one run a frame when it
	// is fixed at 1. Result i belongs to imgs[i]. An error fails the whole
	// call.
	DetectBatch(imgs []gocv.Mat) ([][]Detection, error)
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
	// runtime's default (one per physical core). For OpenCV the setting is
	// process-wide.
	IntraOpThreads int
	// Backend is "onnxruntime" or "opencv"; "" takes the manifest's
	// backend, which defaults to onnxruntime.
	Backend string
	// Providers are onnxruntime execution providers to try in order (see
	// Providers()); the first that loads the model is used, each failure
	// before it logged. A list without "cpu" at its end fails, naming each
	// provider, when none is available. Empty means [cpu].
	Providers []string
	// GraphOptimization is onnxruntime's graph optimisation level:
	// disable, basic, extended or all ("" = all).
	GraphOptimization string
	// MaxBatch is the most frames one run takes for a model with a dynamic
	// batch dimension; 0 or 1 runs frame by frame. Batching is opt-in
	// because it did not clearly win where it was measured (YOLOX-Nano,
	// onnxruntime on 2 shared CPU cores, BenchmarkDetectBatch: batches of 2
	// and 4 at 0.96–1.14× the speed of one run a frame, against 0.94–1.02×
	// for the batch-of-1 control); try it on GPUs and NPUs, where one larger
	// run usually does.
	MaxBatch int
	// Logger receives provider fallbacks and bad-output warnings; nil
	// means slog.Default().
	Logger *slog.Logger
}

func (o Options) maxBatch() int { return max(o.MaxBatch, 1) }

func (o Options) logger() *slog.Logger {
	if o.Logger != nil {
		return o.Logger
	}
	return slog.Default()
}

// Stats are a detector's counters since it was opened.
type Stats struct {
	Frames uint64 // frames run through the model
	Runs   uint64 // model runs: fewer than Frames when frames are batched
	// NonFinite counts output boxes skipped because they held NaN, ±Inf or
	// (nms_free) a class id the manifest does not have.
	NonFinite uint64
	// Total time in each step over all frames: letterbox and tensor fill,
	// the model run, and decoding with NMS and mapping back.
	Pre, Infer, Post time.Duration
}

// StatsReporter is implemented by the detectors of this package, for metrics
// and benchmarks; it is safe to call concurrently with Detect.
type StatsReporter interface {
	Stats() Stats
}
