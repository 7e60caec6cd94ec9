package ingest

import "context"

// Source is anything that produces frames for the detector: an RTSP Camera
// or a FileSource. The contract is the Camera's: Run once, until ctx ends;
// Frames hands out frames drop-oldest and is closed when Run returns; the
// receiver of a Frame owns its Image.
type Source interface {
	Run(ctx context.Context)
	Frames() <-chan Frame
	Status() Status
}

var (
	_ Source = (*Camera)(nil)
	_ Source = (*FileSource)(nil)
)
