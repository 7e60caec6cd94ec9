package detect

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// fuzzDecoders are one decoder per family for a 64×32 input and 3 classes,
// with the row count of each family's test output.
func fuzzDecoders(t testing.TB) []struct {
	name string
	dec  decoder
	nms  bool
	size int
} {
	m := &Manifest{
		Input:           Input{Width: 64, Height: 32},
		Classes:         []string{"a", "b", "c"},
		ScoreThreshold:  0.3,
		ClassThresholds: map[string]float32{"c": 0.9},
	}
	var out []struct {
		name string
		dec  decoder
		nms  bool
		size int
	}
	for _, fc := range []struct {
		name  string
		shape []int64
	}{
		{"yolox", []int64{1, 42, 8}},
		{"yolov5", []int64{1, 7, 8}},
		{"yolov8", []int64{1, 7, 7}},
		{"nms_free", []int64{1, 7, 6}},
	} {
		m.Family = fc.name
		dec, shape, err := newDecoder(m, fc.shape)
		require.NoError(t, err, fc.name)
		out = append(out, struct {
			name string
			dec  decoder
			nms  bool
			size int
		}{fc.name, dec, !families[fc.name].selfSuppressing, product(shape)})
	}
	return out
}

// FuzzDecoders feeds arbitrary tensors through every family's decoder, NMS
// and the mapping back: none may panic, an error is the only other outcome,
// and every detection has a known class, a finite score at or above its
// threshold, and a box in the image.
func FuzzDecoders(f *testing.F) {
	f.Add(make([]byte, 42*8*4), uint8(0), uint16(640), uint16(480))
	f.Add([]byte{0, 0, 0x80, 0x7f}, uint8(1), uint16(1), uint16(1))   // +Inf
	f.Add([]byte{0, 0, 0xc0, 0x7f}, uint8(2), uint16(10), uint16(10)) // NaN
	seed := make([]byte, 7*8*4)
	for i := range 7 * 8 {
		binary.LittleEndian.PutUint32(seed[4*i:], math.Float32bits(float32(i%9)/4))
	}
	for fam := range uint8(4) {
		f.Add(seed, fam, uint16(100), uint16(3000))
		f.Add(seed[:7*6*4], fam, uint16(128), uint16(64))
	}
	f.Fuzz(func(t *testing.T, raw []byte, fam uint8, w, h uint16) {
		decs := fuzzDecoders(t)
		d := decs[int(fam)%len(decs)]
		out := make([]float32, len(raw)/4)
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
		if len(out) > 0 && len(out) < d.size && fam < 128 {
			// Mostly exercise whole tensors: repeat the input to fill one.
			full := make([]float32, d.size)
			for i := range full {
				full[i] = out[i%len(out)]
			}
			out = full
		}
		cands, bad, err := d.dec.decode(out, nil)
		if err != nil {
			return
		}
		require.GreaterOrEqual(t, bad, 0)
		srcW, srcH := max(int(w), 1), max(int(h), 1)
		lb := newLetterbox(srcW, srcH, 64, 32, AlignCenter)
		kept := cands
		if d.nms {
			kept = nms(cands, 0.45, 100)
		}
		th := []float32{0.3, 0.3, 0.9}
		for _, c := range kept {
			require.True(t, c.class >= 0 && c.class < 3, "%s: class %d", d.name, c.class)
			require.True(t, finite(c.score) && c.score >= th[c.class], "%s: score %v", d.name, c.score)
			b := lb.toSource(c.box)
			require.True(t, b.X1 >= 0 && b.X2 <= float32(srcW) && b.Y1 >= 0 && b.Y2 <= float32(srcH), "%+v", b)
		}
	})
}
