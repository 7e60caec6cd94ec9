package detect

import (
	"testing"

	"github.com/stretchr/testify/require"
	"gocv.io/x/gocv"
)

func TestLetterboxGeometry(t *testing.T) {
	tests := []struct {
		name                   string
		srcW, srcH, dstW, dstH int
		align                  string
		newW, newH, padX, padY int
	}{
		{"landscape centred", 640, 480, 416, 416, AlignCenter, 416, 312, 0, 52},
		{"landscape top-left", 640, 480, 416, 416, AlignTopLeft, 416, 312, 0, 0},
		{"portrait centred", 480, 640, 416, 416, AlignCenter, 312, 416, 52, 0},
		{"same size", 416, 416, 416, 416, AlignCenter, 416, 416, 0, 0},
		{"upscaled", 104, 52, 416, 416, AlignCenter, 416, 208, 0, 104},
		{"rounds, not truncates", 640, 425, 416, 416, AlignTopLeft, 416, 276, 0, 0},
		{"extreme aspect keeps a pixel", 10000, 1, 416, 416, AlignCenter, 416, 1, 0, 207},
		{"wide model input", 768, 576, 640, 384, AlignCenter, 512, 384, 64, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLetterbox(tt.srcW, tt.srcH, tt.dstW, tt.dstH, tt.align)
			require.Equal(t, [4]int{tt.newW, tt.newH, tt.padX, tt.padY}, [4]int{l.newW, l.newH, l.padX, l.padY})
		})
	}
}

func TestLetterboxToSource(t *testing.T) {
	// 640×480 into 416×416 centred: scale 0.65, 52 rows of padding on top.
	center := newLetterbox(640, 480, 416, 416, AlignCenter)
	topLeft := newLetterbox(640, 480, 416, 416, AlignTopLeft)
	tests := []struct {
		name string
		l    letterbox
		in   Box
		want Box
	}{
		{"centred box", center, Box{X1: 65, Y1: 52 + 65, X2: 130, Y2: 52 + 130}, Box{X1: 100, Y1: 100, X2: 200, Y2: 200}},
		{"top-left box", topLeft, Box{X1: 65, Y1: 65, X2: 130, Y2: 130}, Box{X1: 100, Y1: 100, X2: 200, Y2: 200}},
		{"whole image", center, Box{X1: 0, Y1: 52, X2: 416, Y2: 364}, Box{X1: 0, Y1: 0, X2: 640, Y2: 480}},
		{"clipped to the image", center, Box{X1: -10, Y1: 0, X2: 500, Y2: 416}, Box{X1: 0, Y1: 0, X2: 640, Y2: 480}},
		{"wholly in the padding", center, Box{X1: 10, Y1: 0, X2: 50, Y2: 40}, Box{X1: 10 / 0.65, Y1: 0, X2: 50 / 0.65, Y2: 0}},
		{"NaN goes to the edge", center, Box{X1: nan32(), Y1: 52, X2: 65, Y2: 117}, Box{X1: 0, Y1: 0, X2: 100, Y2: 100}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.l.toSource(tt.in)
			require.InDelta(t, tt.want.X1, got.X1, 1e-3)
			require.InDelta(t, tt.want.Y1, got.Y1, 1e-3)
			require.InDelta(t, tt.want.X2, got.X2, 1e-3)
			require.InDelta(t, tt.want.Y2, got.Y2, 1e-3)
		})
	}
}

// TestPreprocess letterboxes a 2×1 image into a 4×4 input and checks every
// tensor value, for both layouts and channel orders.
func TestPreprocess(t *testing.T) {
	img := gocv.NewMatWithSize(1, 2, gocv.MatTypeCV8UC3)
	defer img.Close()
	// Two equal pixels (B, G, R) = (10, 20, 30): upscaled to 4×2 they stay
	// exact whatever the interpolation, so each tensor value is known.
	for x := range 2 {
		img.SetUCharAt(0, 3*x+0, 10)
		img.SetUCharAt(0, 3*x+1, 20)
		img.SetUCharAt(0, 3*x+2, 30)
	}
	base := Input{Width: 4, Height: 4, Scale: 0.5, Mean: []float32{1, 2, 3}, Std: []float32{1, 2, 4}, PadValue: 100, Align: AlignCenter}
	norm := func(v float32, c int) float32 { return (v*0.5 - base.Mean[c]) / base.Std[c] }

	tests := []struct {
		layout, order string
		chans         [3]float32 // pixel bytes in tensor-channel order
	}{
		{"NCHW", "BGR", [3]float32{10, 20, 30}},
		{"NCHW", "RGB", [3]float32{30, 20, 10}},
		{"NHWC", "BGR", [3]float32{10, 20, 30}},
		{"NHWC", "RGB", [3]float32{30, 20, 10}},
	}
	for _, tt := range tests {
		t.Run(tt.layout+"/"+tt.order, func(t *testing.T) {
			in := base
			in.Layout, in.ChannelOrder = tt.layout, tt.order
			p := newPreprocessor(in)
			defer p.close()
			dst := make([]float32, 3*4*4)
			lb, err := p.run(img, dst)
			require.NoError(t, err)
			require.Equal(t, [4]int{4, 2, 0, 1}, [4]int{lb.newW, lb.newH, lb.padX, lb.padY})
			at := func(x, y, c int) float32 {
				if tt.layout == "NHWC" {
					return dst[(y*4+x)*3+c]
				}
				return dst[c*16+y*4+x]
			}
			for y := range 4 {
				for x := range 4 {
					for c := range 3 {
						want := norm(100, c) // padding rows 0 and 3
						if y == 1 || y == 2 {
							want = norm(tt.chans[c], c)
						}
						require.InDelta(t, want, at(x, y, c), 1e-5, "x=%d y=%d c=%d", x, y, c)
					}
				}
			}
		})
	}
}

// TestPreprocessSizeChange checks that the padding is rewritten when the
// frame size changes, since it is otherwise written only once.
func TestPreprocessSizeChange(t *testing.T) {
	in := Input{Width: 4, Height: 4, Layout: "NCHW", ChannelOrder: "BGR", Scale: 1,
		Mean: []float32{0, 0, 0}, Std: []float32{1, 1, 1}, PadValue: 114, Align: AlignTopLeft}
	p := newPreprocessor(in)
	defer p.close()
	dst := make([]float32, 48)

	square := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(7, 7, 7, 0), 4, 4, gocv.MatTypeCV8UC3)
	defer square.Close()
	wide := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(9, 9, 9, 0), 1, 2, gocv.MatTypeCV8UC3)
	defer wide.Close()

	_, err := p.run(square, dst)
	require.NoError(t, err)
	for _, v := range dst {
		require.Equal(t, float32(7), v)
	}
	_, err = p.run(wide, dst)
	require.NoError(t, err)
	for i, v := range dst {
		want := float32(114)
		if y := (i % 16) / 4; y < 2 {
			want = 9
		}
		require.Equal(t, want, v, "index %d", i)
	}
}

func TestPreprocessRejects(t *testing.T) {
	in := Input{Width: 4, Height: 4, Layout: "NCHW", ChannelOrder: "BGR", Scale: 1,
		Mean: []float32{0, 0, 0}, Std: []float32{1, 1, 1}, Align: AlignCenter}
	p := newPreprocessor(in)
	defer p.close()
	dst := make([]float32, 48)

	empty := gocv.NewMat()
	defer empty.Close()
	_, err := p.run(empty, dst)
	require.ErrorContains(t, err, "empty frame")

	gray := gocv.NewMatWithSize(4, 4, gocv.MatTypeCV8UC1)
	defer gray.Close()
	_, err = p.run(gray, dst)
	require.ErrorContains(t, err, "want BGR 8UC3")

	ok := gocv.NewMatWithSize(4, 4, gocv.MatTypeCV8UC3)
	defer ok.Close()
	_, err = p.run(ok, dst[:10])
	require.ErrorContains(t, err, "input tensor has 10 values")
}
