package decode

import (
	"image"
	"testing"

	"github.com/stretchr/testify/require"
	"gocv.io/x/gocv"
)

// BenchmarkLookInput prints what one look's model input from a 1080p
// camera costs: the whole picture to BGR and the tile of it resized (the
// old way: the detector's letterbox scaled the tile), a 540×540 tile
// straight to 416×416 in a new Mat, and the same into a pooled Mat. allocs/op counts Go allocations;
// the C side's churn shows in ns/op (fresh pages for every new Mat).
//
//	go test -run '^$' -bench LookInput -benchmem ./edge/decode
func BenchmarkLookInput(b *testing.B) {
	ReturnFreedPictures() // as the edge runs
	aus := vtestAccessUnits(b, 1)
	d, err := NewH264Decoder()
	require.NoError(b, err)
	defer d.Close()
	_, err = d.Decode(aus[0])
	require.NoError(b, err)
	small, err := d.BGRResized(1920, 1080)
	require.NoError(b, err)
	defer small.Close()
	pic, err := PictureFromBGR(small)
	require.NoError(b, err)
	defer pic.Close()
	tile := image.Rect(0, 540, 540, 1080)
	s := NewScaler()
	defer s.Free()
	pool := NewMatPool(4)
	defer pool.Close()

	b.Run("old-whole-bgr-then-resize-tile", func(b *testing.B) {
		b.ReportAllocs()
		in := gocv.NewMat()
		defer in.Close()
		for b.Loop() {
			m, err := pic.Convert(s, image.Rectangle{}, 0, 0)
			if err != nil {
				b.Fatal(err)
			}
			sub := m.Region(tile) // what the detector's letterbox got
			gocv.Resize(sub, &in, image.Pt(416, 416), 0, 0, gocv.InterpolationLinear)
			sub.Close()
			m.Close()
		}
	})
	b.Run("tile-416-new", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			m, err := pic.Convert(s, tile, 416, 416)
			if err != nil {
				b.Fatal(err)
			}
			m.Close()
		}
	})
	b.Run("tile-416-pooled", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			m, err := pic.ConvertPooled(s, pool, tile, 416, 416)
			if err != nil {
				b.Fatal(err)
			}
			pool.Put(m)
		}
	})
}

// TestMatPool: Mats come back for reuse up to the pool's bound; beyond it
// they are closed.
func TestMatPool(t *testing.T) {
	p := NewMatPool(2)
	defer p.Close()
	sz := image.Pt(8, 6)
	a, b, c := p.Get(sz), p.Get(sz), p.Get(sz)
	pa, err := a.DataPtrUint8()
	require.NoError(t, err)
	p.Put(a)
	p.Put(b)
	p.Put(c) // over the bound: closed
	require.Equal(t, 2, p.Len())
	got := p.Get(sz)
	pg, err := got.DataPtrUint8()
	require.NoError(t, err)
	require.True(t, &pg[0] == &pa[0] || p.Len() == 1, "a Mat given back is handed out again")
	require.Equal(t, [3]int{6, 8, int(gocv.MatTypeCV8UC3)}, [3]int{got.Rows(), got.Cols(), int(got.Type())})
	other := p.Get(image.Pt(4, 4))
	require.Equal(t, 1, p.Len(), "another size is new")
	other.Close()
	got.Close()
}

// BenchmarkEvidencePicture prints the two ways a look's picture can be
// had again for evidence: from the decoded picture held (a conversion;
// the picture's memory held meanwhile) and from its kept keyframe (a
// decode; only the compressed keyframe held). vtest.avi's first keyframe,
// 768×576; kept-bytes is what each holds.
//
//	go test -run '^$' -bench EvidencePicture -benchmem ./edge/decode
func BenchmarkEvidencePicture(b *testing.B) {
	aus := vtestAccessUnits(b, 1)
	d, err := NewH264Decoder()
	require.NoError(b, err)
	d.SetIntraOnly(true)
	_, err = d.Decode(aus[0])
	require.NoError(b, err)
	pic, err := d.Picture()
	require.NoError(b, err)
	defer pic.Close()
	key := &Keyframe{Codec: H264, AU: append(d.ParamSets(), aus[0]...)}
	d.Close()
	keyBytes := 0
	for _, n := range key.AU {
		keyBytes += len(n)
	}
	sz := pic.Size()
	b.Run("from-picture", func(b *testing.B) {
		for b.Loop() {
			m, err := pic.Convert(nil, image.Rectangle{}, 0, 0)
			if err != nil {
				b.Fatal(err)
			}
			m.Close()
		}
		b.ReportMetric(float64(sz.X*sz.Y*3/2), "kept-bytes")
	})
	b.Run("from-kept-keyframe", func(b *testing.B) {
		s := &Still{key: key}
		for b.Loop() {
			m, err := s.BGR()
			if err != nil {
				b.Fatal(err)
			}
			m.Close()
		}
		b.ReportMetric(float64(keyBytes), "kept-bytes")
	})
}
