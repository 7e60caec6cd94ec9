package warn

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Warning is one warning to play.
type Warning struct {
	Camera string // camera ID, for logs, metrics and the speaker's request
	Type   string // violation type (street_vending, ...)
	// Audio is the message as 8 kHz mono 16-bit samples
	// (audio.LoadWarning); the back channel plays it, an HTTP speaker
	// plays its own stored message and ignores it.
	Audio []int16
	// At is when the violation was raised; the HTTP speaker sends it.
	At time.Time
}

// Player plays a warning and returns when it has been played (the back
// channel: the last packet is out) or accepted (an HTTP speaker answered).
// Implementations are safe for concurrent use.
type Player interface {
	Play(ctx context.Context, w Warning) error
}

// ErrNoBackChannel is what a NoBackChannelError matches with errors.Is.
var ErrNoBackChannel = errors.New("camera offers no G.711 audio back channel")

// ErrBusy means the camera's speaker is already playing a warning.
var ErrBusy = errors.New("speaker busy with another warning")

// NoBackChannelError says a camera has no speaker we can use: its RTSP
// server offered no ONVIF back channel with PCMU or PCMA. It is permanent
// for the camera (a BackChannel asks once and then answers from memory),
// so the caller should file the case instead of warning.
type NoBackChannelError struct {
	Camera string
	URL    string // without credentials
}

func (e *NoBackChannelError) Error() string {
	return fmt.Sprintf("camera %s (%s): %v", e.Camera, e.URL, ErrNoBackChannel)
}

func (e *NoBackChannelError) Is(target error) bool { return target == ErrNoBackChannel }
