package audio

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// ErrNotWAV marks input that is not a WAV file we can play: not RIFF/WAVE,
// no fmt or data chunk, or an encoding other than PCM and float.
var ErrNotWAV = errors.New("not a playable WAV file")

// WAV format tags (the wFormatTag of the fmt chunk).
const (
	tagPCM        = 1
	tagFloat      = 3
	tagExtensible = 0xFFFE
)

// Limits that keep a hostile or mistaken file from asking for absurd work.
const (
	MinRate     = 8000
	MaxRate     = 192000
	MaxChannels = 2
)

// wavFormat is the part of the fmt chunk that decoding needs.
type wavFormat struct {
	tag        uint16
	channels   int
	rate       int
	blockAlign int
	bits       int
}

// DecodeWAV parses a RIFF/WAVE file held in memory. A data chunk that
// claims more bytes than the file has (a recorder that was stopped, or a
// streaming writer that left the size at 0xFFFFFFFF) is cut to the whole
// frames present, as players do.
func DecodeWAV(b []byte) (*Clip, error) {
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, fmt.Errorf("%w: no RIFF/WAVE header", ErrNotWAV)
	}
	var f *wavFormat
	for rest := b[12:]; len(rest) >= 8; {
		id, size := string(rest[0:4]), uint64(binary.LittleEndian.Uint32(rest[4:8]))
		body := rest[8:]
		if size > uint64(len(body)) {
			size = uint64(len(body))
		}
		switch id {
		case "fmt ":
			var err error
			if f, err = parseFormat(body[:size]); err != nil {
				return nil, err
			}
		case "data":
			if f == nil {
				return nil, fmt.Errorf("%w: data chunk before fmt chunk", ErrNotWAV)
			}
			return decodeSamples(f, body[:size])
		}
		// Chunks are padded to an even length.
		next := size + size&1
		if next >= uint64(len(body)) {
			break
		}
		rest = body[next:]
	}
	if f == nil {
		return nil, fmt.Errorf("%w: no fmt chunk", ErrNotWAV)
	}
	return nil, fmt.Errorf("%w: no data chunk", ErrNotWAV)
}

// parseFormat reads and checks a fmt chunk.
func parseFormat(b []byte) (*wavFormat, error) {
	if len(b) < 16 {
		return nil, fmt.Errorf("%w: fmt chunk of %d bytes, want at least 16", ErrNotWAV, len(b))
	}
	f := &wavFormat{
		tag:        binary.LittleEndian.Uint16(b[0:2]),
		channels:   int(binary.LittleEndian.Uint16(b[2:4])),
		rate:       int(binary.LittleEndian.Uint32(b[4:8])),
		blockAlign: int(binary.LittleEndian.Uint16(b[12:14])),
		bits:       int(binary.LittleEndian.Uint16(b[14:16])),
	}
	if f.tag == tagExtensible {
		// WAVE_FORMAT_EXTENSIBLE: the real tag is the first two bytes of
		// the sub-format GUID, after cbSize, valid bits and channel mask.
		if len(b) < 26 {
			return nil, fmt.Errorf("%w: extensible fmt chunk of %d bytes, want at least 26", ErrNotWAV, len(b))
		}
		f.tag = binary.LittleEndian.Uint16(b[24:26])
	}
	switch {
	case f.tag != tagPCM && f.tag != tagFloat:
		return nil, fmt.Errorf("%w: encoding %d, want PCM (1) or float (3)", ErrNotWAV, f.tag)
	case f.channels < 1 || f.channels > MaxChannels:
		return nil, fmt.Errorf("%w: %d channels, want 1 or 2", ErrNotWAV, f.channels)
	case f.rate < MinRate || f.rate > MaxRate:
		return nil, fmt.Errorf("%w: %d Hz, want %d to %d", ErrNotWAV, f.rate, MinRate, MaxRate)
	case f.tag == tagPCM && f.bits != 8 && f.bits != 16 && f.bits != 24 && f.bits != 32:
		return nil, fmt.Errorf("%w: %d-bit PCM, want 8, 16, 24 or 32", ErrNotWAV, f.bits)
	case f.tag == tagFloat && f.bits != 32:
		return nil, fmt.Errorf("%w: %d-bit float, want 32", ErrNotWAV, f.bits)
	case f.blockAlign != f.channels*f.bits/8:
		return nil, fmt.Errorf("%w: block align %d, want %d for %d channels of %d bits",
			ErrNotWAV, f.blockAlign, f.channels*f.bits/8, f.channels, f.bits)
	}
	return f, nil
}

// decodeSamples converts the data chunk to floats in [-1, 1].
func decodeSamples(f *wavFormat, b []byte) (*Clip, error) {
	width := f.bits / 8
	n := len(b) / f.blockAlign * f.channels
	if n == 0 {
		return nil, fmt.Errorf("%w: no samples", ErrNotWAV)
	}
	out := make([]float32, n)
	for i := range out {
		s := b[i*width : (i+1)*width]
		out[i] = sample(f.tag, s)
	}
	return &Clip{Rate: f.rate, Channels: f.channels, Samples: out}, nil
}

// sample decodes one little-endian sample of len(s) bytes.
func sample(tag uint16, s []byte) float32 {
	switch len(s) {
	case 1: // 8-bit WAV is unsigned, centred on 128
		return (float32(s[0]) - 128) / 128
	case 2:
		return float32(int16(binary.LittleEndian.Uint16(s))) / (1 << 15)
	case 3:
		v := int32(uint32(s[0])<<8|uint32(s[1])<<16|uint32(s[2])<<24) >> 8
		return float32(v) / (1 << 23)
	default:
		u := binary.LittleEndian.Uint32(s)
		if tag == tagFloat {
			v := math.Float32frombits(u)
			if v != v { // NaN would poison the resampler's sums
				return 0
			}
			return max(-1, min(1, v))
		}
		return float32(float64(int32(u)) / (1 << 31))
	}
}
