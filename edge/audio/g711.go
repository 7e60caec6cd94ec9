package audio

import (
	"encoding/binary"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/g711"
)

// EncodeG711 encodes 16-bit samples as G.711, µ-law (PCMU) when mulaw is
// set and A-law (PCMA) otherwise: one byte a sample.
func EncodeG711(pcm []int16, mulaw bool) []byte {
	be := bigEndian(pcm)
	var out []byte
	if mulaw {
		out, _ = g711.Mulaw(be).Marshal() // fails only on an odd byte count
	} else {
		out, _ = g711.Alaw(be).Marshal()
	}
	return out
}

// DecodeG711 is the inverse of EncodeG711, for receivers (camsim) and tests.
func DecodeG711(enc []byte, mulaw bool) []int16 {
	var be []byte
	if mulaw {
		var m g711.Mulaw
		m.Unmarshal(enc)
		be = m
	} else {
		var a g711.Alaw
		a.Unmarshal(enc)
		be = a
	}
	out := make([]int16, len(be)/2)
	for i := range out {
		out[i] = int16(binary.BigEndian.Uint16(be[2*i:]))
	}
	return out
}

// bigEndian is the sample layout mediacommon's G.711 codec works on.
func bigEndian(pcm []int16) []byte {
	b := make([]byte, 2*len(pcm))
	for i, v := range pcm {
		binary.BigEndian.PutUint16(b[2*i:], uint16(v))
	}
	return b
}
