package audio

import (
	"fmt"
	"io"
	"os"
	"time"
)

// MaxFileSize bounds what LoadWarning reads: a minute of 192 kHz stereo
// 32-bit audio, far more than any spoken warning needs.
const MaxFileSize = 100 << 20

// MaxWarning is the longest warning we accept; a longer file is almost
// certainly the wrong file (a recording of the street, a music track).
const MaxWarning = 2 * time.Minute

// LoadWarning reads a WAV file and returns it as 8 kHz mono 16-bit PCM,
// ready for G.711. Errors name the file; a file that is not audio wraps
// ErrNotWAV.
func LoadWarning(path string) ([]int16, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open warning audio: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read warning audio %s: %w", path, err)
	}
	if len(b) > MaxFileSize {
		return nil, fmt.Errorf("warning audio %s: larger than %d MiB", path, MaxFileSize>>20)
	}
	clip, err := DecodeWAV(b)
	if err != nil {
		return nil, fmt.Errorf("warning audio %s: %w", path, err)
	}
	if d := clip.Duration(); d > MaxWarning {
		return nil, fmt.Errorf("warning audio %s: %v long, want at most %v", path, d.Round(time.Second), MaxWarning)
	}
	return Telephone(clip), nil
}
