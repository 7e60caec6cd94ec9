package sim

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Faults make a stream misbehave the way broken cameras and networks do, so
// tests can check that the edge recovers. The zero value is a healthy
// camera. Each fault is independent; several may be combined.
type Faults struct {
	// DropEvery closes every client's connection this often, as a flaky
	// link or a rebooting camera does.
	DropEvery time.Duration
	// StallFor stops sending for this long out of every StallEvery (the
	// connection stays up, nothing arrives), as a hung encoder does.
	// StallEvery defaults to StallFor plus 3 s of streaming.
	StallFor, StallEvery time.Duration
	// CorruptEvery overwrites bytes inside the slice NAL units of one access
	// unit in this many, as bit errors on a radio link do.
	CorruptEvery int
	// BadSPS sends a lying, truncated SPS in front of every other keyframe,
	// and for H.264 in the SDP too, as buggy firmware does. (An H.265 SDP
	// with a broken SPS is refused by gortsplib's DESCRIBE, so no client
	// could play it at all.)
	BadSPS bool
	// NoSpeaker leaves out the ONVIF audio back channel, as a camera
	// without a speaker does: clients that ask for one find none.
	NoSpeaker bool
}

// Any reports whether some fault that touches the video is set.
func (f Faults) Any() bool {
	f.NoSpeaker = false
	return f != Faults{}
}

// stallPeriod is StallEvery with its default.
func (f Faults) stallPeriod() time.Duration {
	if f.StallEvery > 0 {
		return f.StallEvery
	}
	return f.StallFor + 3*time.Second
}

// stalled reports whether, elapsed after the stream started, it is in the
// silent part of a stall cycle: the last StallFor of every period.
func (f Faults) stalled(elapsed time.Duration) bool {
	if f.StallFor <= 0 {
		return false
	}
	p := f.stallPeriod()
	return elapsed%p >= p-f.StallFor
}

// Validate names the first bad value.
func (f Faults) Validate() error {
	switch {
	case f.DropEvery < 0:
		return fmt.Errorf("drop %v: want a positive duration", f.DropEvery)
	case f.StallFor < 0 || f.StallEvery < 0:
		return fmt.Errorf("stall %v/%v: want positive durations", f.StallFor, f.StallEvery)
	case f.StallEvery > 0 && f.StallEvery <= f.StallFor:
		return fmt.Errorf("stall %v/%v: the period must be longer than the stall", f.StallFor, f.StallEvery)
	case f.CorruptEvery < 0:
		return fmt.Errorf("corrupt %d: want a positive count", f.CorruptEvery)
	}
	return nil
}

// ParseOption applies one stream option of camsim's -stream flag to o or
// f: h264, h265, height=1080, fps=25, keyframe=2s, drop=5s, stall=2s or
// stall=2s/10s, corrupt=10, badsps, nospeaker. It reports an error naming the option.
func ParseOption(opt string, o *TranscodeOptions, f *Faults) error {
	key, val, hasVal := strings.Cut(opt, "=")
	dur := func() (time.Duration, error) {
		d, err := time.ParseDuration(val)
		if err != nil || d <= 0 {
			return 0, fmt.Errorf("option %q: want a positive duration such as 5s", opt)
		}
		return d, nil
	}
	num := func() (int, error) {
		n, err := strconv.Atoi(val)
		if err != nil || n <= 0 {
			return 0, fmt.Errorf("option %q: want a positive whole number", opt)
		}
		return n, nil
	}
	var err error
	switch {
	case key == CodecH264 || key == CodecH265:
		if hasVal {
			return fmt.Errorf("option %q takes no value", opt)
		}
		o.Codec = key
	case key == "badsps" && !hasVal:
		f.BadSPS = true
	case key == "nospeaker" && !hasVal:
		f.NoSpeaker = true
	case key == "height":
		o.Height, err = num()
	case key == "fps":
		o.FPS, err = num()
	case key == "keyframe":
		var d time.Duration
		d, err = dur()
		o.KeyframeSeconds = d.Seconds()
	case key == "drop":
		f.DropEvery, err = dur()
	case key == "stall":
		stallFor, every, _ := strings.Cut(val, "/")
		val = stallFor
		if f.StallFor, err = dur(); err == nil && every != "" {
			val = every
			f.StallEvery, err = dur()
		}
	case key == "corrupt":
		f.CorruptEvery, err = num()
	default:
		return fmt.Errorf("unknown option %q: want h264, h265, height=N, fps=N, keyframe=D, drop=D, stall=D[/D], corrupt=N, badsps, nospeaker", opt)
	}
	return err
}
