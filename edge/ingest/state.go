package ingest

import (
	"fmt"
	"time"
)

// State is where a camera's connection stands.
type State int

// States, in the order a healthy camera goes through them.
const (
	// StateConnecting: dialling, DESCRIBE, SETUP, PLAY.
	StateConnecting State = iota
	// StateStreaming: PLAY succeeded; packets are expected.
	StateStreaming
	// StateRetrying: the last attempt failed; waiting out the back-off.
	StateRetrying
)

var stateNames = [...]string{
	StateConnecting: "connecting",
	StateStreaming:  "streaming",
	StateRetrying:   "retrying",
}

func (s State) String() string {
	if s >= 0 && int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// Status is a snapshot of a camera. Counters start at zero when the Camera
// is made and never go back.
type Status struct {
	State State
	// LastError is the most recent failure; it stays after the camera
	// recovers, with LastErrorTime saying when it happened.
	LastError     string
	LastErrorTime time.Time
	// FramesReceived counts access units out of the RTP depacketizer;
	// FramesDecoded the pictures out of the decoder; FramesDropped the
	// handed-out frames replaced before anyone took them.
	FramesReceived, FramesDecoded, FramesDropped uint64
	// FramesSkipped counts access units never fed to the decoder because
	// keyframes-only decoding did not need them.
	FramesSkipped uint64
	// DecodeErrors counts broken RTP payloads, decoder errors and failed
	// conversions.
	DecodeErrors uint64
	// Reconnects counts connection attempts after the first.
	Reconnects uint64
	// BytesReceived counts RTP bytes of the video track; PacketsLost the RTP
	// packets that never arrived.
	BytesReceived, PacketsLost uint64
	// Codec is the stream's codec ("H.264", "H.265"), empty before the
	// first connection.
	Codec string
	// KeyframeInterval is the measured time between keyframes (0 until two
	// were seen); KeyframesOnly whether only keyframes are decoded now.
	KeyframeInterval time.Duration
	KeyframesOnly    bool
	// Lag is how far behind the camera's clock the last handed-out frame
	// was when it was handed out (network, queueing and decoding). It stays
	// small when ingest keeps up and grows when it does not.
	Lag time.Duration
	// Problem says what is wrong with the stream itself, when something
	// is: no keyframe for a long time, or a clock that disagrees with
	// arrival. Empty when it is fine.
	Problem string
}
