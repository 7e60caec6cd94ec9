package detect

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func nan32() float32 { return float32(math.NaN()) }

// smallYOLOX is a decoder for a 64×32 input and 3 classes: rows are the 8×4
// cells of stride 8, then 4×2 of stride 16, then 2×1 of stride 32 = 42.
func smallYOLOX(t testing.TB, thresholds map[string]float32) *yolox {
	m := &Manifest{
		Family:          "yolox",
		Input:           Input{Width: 64, Height: 32},
		Classes:         []string{"a", "b", "c"},
		ScoreThreshold:  0.3,
		ClassThresholds: thresholds,
	}
	dec, shape, err := newDecoder(m, []int64{1, -1, 8})
	require.NoError(t, err)
	require.Equal(t, []int64{1, 42, 8}, shape)
	return dec.(*yolox)
}

// The shape rules are modelspec's (tested there); the edge's decoder
// loading goes through them.
func TestYOLOXShapeChecks(t *testing.T) {
	m := &Manifest{Family: "yolox", Input: Input{Width: 416, Height: 416}, Classes: make([]string, 80), ScoreThreshold: 0.3}
	tests := []struct {
		name  string
		shape []int64
		err   string
	}{
		{"ok", []int64{1, 3549, 85}, ""},
		{"dynamic", []int64{-1, -1, 85}, ""},
		{"class count", []int64{1, 3549, 84}, "84 values per box, so 79 classes, but the manifest lists 80 classes"},
		{"box count", []int64{1, 8400, 85}, "8400 boxes, but a 416x416 input with strides 8, 16, 32 gives 3549"},
		{"rank", []int64{3549, 85}, "family yolox wants [1, boxes, 5+classes] = [1 3549 85]"},
		{"batch", []int64{4, 3549, 85}, "batch size 4: family yolox supports a batch of 1 or a dynamic batch"},
		{"too narrow", []int64{1, 3549, 4}, "4 values per box; family yolox wants 5+classes = 85"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := newDecoder(m, tt.shape)
			if tt.err == "" {
				require.NoError(t, err)
			} else {
				require.ErrorContains(t, err, tt.err)
			}
		})
	}
}

func TestYOLOXDecode(t *testing.T) {
	y := smallYOLOX(t, map[string]float32{"c": 0.9})
	out := make([]float32, 42*8)
	row := func(i int) []float32 { return out[i*8 : (i+1)*8] }

	// Row 9 is stride 8, cell (1, 1): centre ((0.5+1)·8, (0.25+1)·8) =
	// (12, 10), size (e^0·8, e^ln2·8) = (8, 16).
	copy(row(9), []float32{0.5, 0.25, 0, float32(math.Ln2), 0.9, 0.1, 0.8, 0.2})
	// Row 32 is stride 16, cell (0, 0); objectness too low.
	copy(row(32), []float32{0, 0, 0, 0, 0.2, 1, 1, 1})
	// Row 40 is stride 32, cell (0, 0); class c wins with 0.8·0.9 = 0.72,
	// below c's own threshold of 0.9.
	copy(row(40), []float32{0, 0, 0, 0, 0.8, 0.1, 0.1, 0.9})
	// Row 41 is stride 32, cell (1, 0): class a at 1·0.5.
	copy(row(41), []float32{0, 0, 1, 1, 1, 0.5, 0.1, 0.1})
	// Non-finite rows are skipped and counted.
	copy(row(0), []float32{0, 0, 0, 0, nan32(), 1, 1, 1})
	copy(row(1), []float32{0, 0, 0, 0, 1, nan32(), nan32(), nan32()})
	copy(row(2), []float32{0, 0, 1000, 0, 1, 1, 1, 1}) // exp overflows
	copy(row(3), []float32{nan32(), 0, 0, 0, 1, 1, 1, 1})

	got, bad, err := y.decode(out, nil)
	require.NoError(t, err)
	require.Equal(t, 4, bad)
	e := float32(math.E)
	require.Len(t, got, 2)
	require.Equal(t, Box{X1: 8, Y1: 2, X2: 16, Y2: 18}, got[0].box)
	require.Equal(t, 1, got[0].class)
	require.InDelta(t, 0.72, got[0].score, 1e-6)
	require.Equal(t, 0, got[1].class)
	require.InDelta(t, 0.5, got[1].score, 1e-6)
	require.InDelta(t, 32-16*e, got[1].box.X1, 1e-4) // centre (32, 0), size 32e
	require.InDelta(t, 16*e, got[1].box.Y2, 1e-4)

	_, _, err = y.decode(out[:10], nil)
	require.ErrorContains(t, err, "yolox output has 10 values, want 42×8")
}

// FuzzYOLOXDecode feeds arbitrary tensors through the decoder, NMS and the
// mapping back: none may panic, and every detection must lie in the image.
func FuzzYOLOXDecode(f *testing.F) {
	f.Add(make([]byte, 42*8*4), uint16(640), uint16(480))
	f.Add([]byte{0, 0, 0x80, 0x7f}, uint16(1), uint16(1)) // +Inf, short
	seed := make([]byte, 42*8*4)
	for i := range 42 * 8 {
		binary.LittleEndian.PutUint32(seed[4*i:], math.Float32bits(float32(i%7)/3))
	}
	f.Add(seed, uint16(100), uint16(3000))
	f.Fuzz(func(t *testing.T, raw []byte, w, h uint16) {
		y := smallYOLOX(t, nil)
		out := make([]float32, len(raw)/4)
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
		if len(out) > 0 && len(out) < 42*8 {
			// Mostly exercise full tensors: repeat the input to fill one.
			full := make([]float32, 42*8)
			for i := range full {
				full[i] = out[i%len(out)]
			}
			out = full
		}
		cands, bad, err := y.decode(out, nil)
		if err != nil {
			return
		}
		require.GreaterOrEqual(t, bad, 0)
		srcW, srcH := max(int(w), 1), max(int(h), 1)
		lb := newLetterbox(srcW, srcH, 64, 32, AlignCenter)
		for _, c := range nms(cands, 0.45, 100) {
			require.True(t, c.class >= 0 && c.class < 3)
			b := lb.toSource(c.box)
			require.True(t, b.X1 >= 0 && b.X2 <= float32(srcW) && b.Y1 >= 0 && b.Y2 <= float32(srcH), "%+v", b)
		}
	})
}
