// Package vision holds the value types that the edge's stages pass to one
// another — boxes, detections, the identity of the model that found them —
// with no cgo beneath them, so that the tracker, the rules and the config
// build and test without OpenCV or onnxruntime. The packages that run
// models (edge/detect) and draw pictures (edge/evidence) use these types;
// they do not define their own.
package vision

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
	// Runtime is the backend and execution provider that ran it, e.g.
	// "onnxruntime/cpu" or "opencv".
	Runtime string
}
