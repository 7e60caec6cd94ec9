package decode

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzDecode feeds arbitrary access units (NAL units separated by 00 00 01
// in the input) to a fresh H.264 or H.265 decoder: no panic, no picture
// larger than the limits, and the decoder still answers afterwards.
func FuzzDecode(f *testing.F) {
	aus := vtestAccessUnits(f, 2)
	f.Add(byte(0), bytes.Join(aus[0], []byte{0, 0, 1}))
	f.Add(byte(0), bytes.Join(aus[1], []byte{0, 0, 1}))
	for _, nalu := range aus[0] {
		f.Add(byte(0), nalu[:len(nalu)/2])
	}
	// H.265: VPS/SPS/PPS-shaped headers with nonsense bodies, a slice.
	f.Add(byte(1), []byte{0x40, 0x01, 0x0c, 0x01, 0xff, 0xff, 0, 0, 1, 0x42, 0x01, 0x01, 0xff, 0xff, 0xff, 0xff})
	f.Add(byte(1), []byte{0x26, 0x01, 0xaf, 0x00, 0x10, 0x20})
	f.Add(byte(0), []byte{0x67, 0x64, 0x00, 0x33, 0xff, 0xff, 0xff, 0xff})
	f.Add(byte(0), []byte{})

	f.Fuzz(func(t *testing.T, codec byte, data []byte) {
		d, err := New(Codec(codec % 2))
		require.NoError(t, err)
		defer d.Close()
		au := bytes.Split(data, []byte{0, 0, 1})
		for range 2 {
			ok, _ := d.Decode(au)
			if ok {
				w, h := d.Size()
				require.LessOrEqual(t, w*h, MaxPixels)
			}
		}
		if w, _ := d.Size(); w > 0 {
			m, err := d.BGRResized(32, 32)
			if err == nil {
				m.Close()
			}
		}
	})
}
