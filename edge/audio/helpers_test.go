package audio

import (
	"encoding/binary"
	"math"
)

// wavSpec describes a WAV file for buildWAV.
type wavSpec struct {
	tag        uint16 // tagPCM, tagFloat or tagExtensible (then sub is the real one)
	sub        uint16
	channels   int
	rate       int
	bits       int
	dataExtra  int // bytes the data chunk claims beyond what is written
	junkChunk  bool
	oddJunkLen bool
}

// buildWAV writes frames (one []float64 per channel value, interleaved) in
// the layout spec asks for.
func buildWAV(s wavSpec, samples []float64) []byte {
	fmtLen := 16
	if s.tag == tagExtensible {
		fmtLen = 40
	}
	fmtChunk := make([]byte, fmtLen)
	binary.LittleEndian.PutUint16(fmtChunk[0:], s.tag)
	binary.LittleEndian.PutUint16(fmtChunk[2:], uint16(s.channels))
	binary.LittleEndian.PutUint32(fmtChunk[4:], uint32(s.rate))
	binary.LittleEndian.PutUint32(fmtChunk[8:], uint32(s.rate*s.channels*s.bits/8))
	binary.LittleEndian.PutUint16(fmtChunk[12:], uint16(s.channels*s.bits/8))
	binary.LittleEndian.PutUint16(fmtChunk[14:], uint16(s.bits))
	if s.tag == tagExtensible {
		binary.LittleEndian.PutUint16(fmtChunk[16:], 22)
		binary.LittleEndian.PutUint16(fmtChunk[18:], uint16(s.bits))
		binary.LittleEndian.PutUint16(fmtChunk[24:], s.sub)
	}
	var data []byte
	for _, v := range samples {
		data = append(data, encodeSample(s, v)...)
	}
	out := []byte("RIFF\x00\x00\x00\x00WAVE")
	out = appendChunk(out, "fmt ", fmtChunk, 0)
	if s.junkChunk {
		junk := []byte("LIST-info")
		if !s.oddJunkLen {
			junk = junk[:8]
		}
		out = appendChunk(out, "LIST", junk, 0)
	}
	out = appendChunk(out, "data", data, s.dataExtra)
	binary.LittleEndian.PutUint32(out[4:], uint32(len(out)-8))
	return out
}

func appendChunk(out []byte, id string, body []byte, extra int) []byte {
	out = append(out, id...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(body)+extra))
	out = append(out, body...)
	if len(body)%2 == 1 {
		out = append(out, 0)
	}
	return out
}

func encodeSample(s wavSpec, v float64) []byte {
	tag := s.tag
	if tag == tagExtensible {
		tag = s.sub
	}
	if tag == tagFloat {
		return binary.LittleEndian.AppendUint32(nil, math.Float32bits(float32(v)))
	}
	switch s.bits {
	case 8:
		return []byte{uint8(math.Round(v*127) + 128)}
	case 16:
		return binary.LittleEndian.AppendUint16(nil, uint16(int16(math.Round(v*32767))))
	case 24:
		x := uint32(int32(math.Round(v * 8388607)))
		return []byte{byte(x), byte(x >> 8), byte(x >> 16)}
	default:
		return binary.LittleEndian.AppendUint32(nil, uint32(int32(math.Round(v*2147483647))))
	}
}

// tone is a sine of freq Hz at amplitude amp, n samples at rate.
func tone(freq float64, rate, n int, amp float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = amp * math.Sin(2*math.Pi*freq*float64(i)/float64(rate))
	}
	return out
}

// rms is the root mean square of samples, skipping skip at each end
// (where a filter's edge effects live).
func rms(x []float32, skip int) float64 {
	var sum float64
	n := 0
	for i := skip; i < len(x)-skip; i++ {
		sum += float64(x[i]) * float64(x[i])
		n++
	}
	return math.Sqrt(sum / float64(n))
}

// zeroCrossingHz estimates a tone's frequency from its sign changes.
func zeroCrossingHz(x []float32, rate int) float64 {
	n := 0
	for i := 1; i < len(x); i++ {
		if (x[i-1] < 0) != (x[i] < 0) {
			n++
		}
	}
	return float64(n) / 2 / (float64(len(x)) / float64(rate))
}
