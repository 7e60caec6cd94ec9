package detect

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/internal/modelspec"
	"github.com/xiuhua/xiuhua/internal/modelspec/modelspectest"
)

// The manifest's own tests are in internal/modelspec; these hold the
// aliases and the decoders to it. goodManifest and manifestDir serve the
// pipeline tests.

const goodManifest = modelspectest.GoodManifest

func manifestDir(t *testing.T) string { return modelspectest.Dir(t) }

func TestShippedManifest(t *testing.T) {
	m := realManifest(t)
	require.Equal(t, "yolox-nano", m.Name)
	require.Equal(t, "yolox", m.Family)
	require.Len(t, m.Classes, 80)
	require.Equal(t, "person", m.Classes[0])
	require.Equal(t, AlignTopLeft, m.Input.Align)
}

// TestFamiliesMatchModelspec: the server accepts uploads by modelspec's
// family rules (Manifest.CheckOutput), and the edge loads models by the same
// rules. What is left to prove is that the edge decodes whatever they
// accept: every family modelspec knows has a decoder here, and for every
// shape it accepts, the decoder reads a tensor of exactly that concrete
// shape (any box count where it is dynamic) box by box, and refuses one
// value more or less with an error, not a panic or a misread.
func TestFamiliesMatchModelspec(t *testing.T) {
	require.Equal(t, modelspec.Families(), slices.Sorted(maps.Keys(families)), "the edge has a decoder for each family the server accepts, and no other")
	shapes := [][]int64{
		{1, 3549, 8}, {-1, 3549, 8}, {1, 2100, 8}, {1, 3549, 85}, {1, 3549}, {2, 3549, 8},
		{1, 25200, 8}, {1, -1, 8}, {1, 100, -1}, {1, 0, 8}, {1, 7, 8400}, {1, 8400, 7},
		{1, 3, 8400}, {1, 7, -1}, {1, 300, 6}, {1, 300, 7}, {1, -1, 6}, {1, 0, 6},
	}
	for _, fam := range modelspec.Families() {
		accepted := 0
		for _, s := range shapes {
			m := &Manifest{Family: fam, Classes: []string{"a", "b", "c"}, ScoreThreshold: 0.3,
				Input: Input{Width: 416, Height: 416}}
			want, werr := m.CheckOutput(s)
			dec, got, err := newDecoder(m, s)
			require.Equal(t, werr, err, "the edge loads by modelspec's rule")
			if werr != nil {
				continue
			}
			accepted++
			require.Equal(t, want, got)
			t.Run(fmt.Sprint(fam, s), func(t *testing.T) {
				// A dynamic box count: the decoder must take any.
				shape := slices.Clone(got)
				for i, d := range shape {
					if d < 0 {
						shape[i] = 17
					}
				}
				boxes := int(shape[1])
				if fam == "yolov8" { // channel-major: [1, 4+classes, boxes]
					boxes = int(shape[2])
				}
				n := product(shape)

				cands, bad, err := dec.decode(make([]float32, n), nil)
				require.NoError(t, err)
				require.Zero(t, bad)
				require.Empty(t, cands, "all-zero scores are below the threshold")

				nan := make([]float32, n)
				for i := range nan {
					nan[i] = float32(math.NaN())
				}
				_, bad, err = dec.decode(nan, nil)
				require.ErrorContains(t, err, fmt.Sprintf("none of its %d boxes is readable", boxes))
				require.Equal(t, boxes, bad, "every box of the shape is read")

				for _, wrong := range []int{n - 1, n + 1, 0} {
					_, _, err = dec.decode(make([]float32, wrong), nil)
					require.Error(t, err, "%d values", wrong)
				}
			})
		}
		require.NotZero(t, accepted, "no shape tried is one modelspec accepts for %s", fam)
	}
}
