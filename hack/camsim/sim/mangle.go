package sim

import (
	"math/rand/v2"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h265"
)

// mangler applies the byte-level faults (corrupt slices, lying SPS) to the
// access units of one stream. Not safe for concurrent use; each stream's
// single sender owns one.
type mangler struct {
	faults Faults
	codec  string
	rng    *rand.Rand
	n      int // access units seen
	keys   int // keyframes seen
}

// apply returns au, or a damaged copy of it; au itself is never changed
// because the reader may reuse its buffers.
func (m *mangler) apply(au [][]byte) [][]byte {
	if !m.faults.Any() {
		return au
	}
	if m.rng == nil {
		// Fixed seed: a failing test sees the same damage again.
		m.rng = rand.New(rand.NewPCG(3, 7))
	}
	m.n++
	out := au
	copied := false
	cp := func() {
		if !copied {
			out = append([][]byte(nil), au...)
			copied = true
		}
	}
	if m.faults.BadSPS {
		if isKey(m.codec, au) {
			m.keys++
			if m.keys%2 == 0 {
				for i, nalu := range out {
					if isSPS(m.codec, nalu) {
						cp()
						out[i] = lyingSPS(nalu)
					}
				}
			}
		}
	}
	if m.faults.CorruptEvery > 0 && m.n%m.faults.CorruptEvery == 0 {
		for i, nalu := range out {
			if !isSlice(m.codec, nalu) || len(nalu) < 8 {
				continue
			}
			cp()
			b := append([]byte(nil), nalu...)
			// Keep the NAL header so the unit still looks like a slice;
			// damage the slice header and data behind it.
			for range 1 + len(b)/64 {
				b[2+m.rng.IntN(len(b)-2)] = byte(m.rng.Uint32())
			}
			out[i] = b
		}
	}
	return out
}

// lyingSPS keeps an SPS's header and profile bytes and replaces the rest
// with a pattern that claims nonsense (huge sizes, bad ids) and ends early.
func lyingSPS(sps []byte) []byte {
	if len(sps) < 4 {
		return append([]byte(nil), sps...)
	}
	out := append([]byte(nil), sps[:4]...)
	return append(out, 0xff, 0xff, 0xff, 0x00, 0xff)
}

func isKey(codec string, au [][]byte) bool {
	if codec == CodecH265 {
		return h265.IsRandomAccess(au)
	}
	return h264.IsRandomAccess(au)
}

func isSPS(codec string, nalu []byte) bool {
	if len(nalu) == 0 {
		return false
	}
	if codec == CodecH265 {
		return h265.NALUType((nalu[0]>>1)&0x3f) == h265.NALUType_SPS_NUT
	}
	return h264.NALUType(nalu[0]&0x1f) == h264.NALUTypeSPS
}

func isSlice(codec string, nalu []byte) bool {
	if len(nalu) == 0 {
		return false
	}
	if codec == CodecH265 {
		return (nalu[0]>>1)&0x3f < 32
	}
	t := h264.NALUType(nalu[0] & 0x1f)
	return t >= h264.NALUTypeNonIDR && t <= h264.NALUTypeIDR
}
