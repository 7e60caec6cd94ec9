package looks

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFairShare(t *testing.T) {
	inf := math.Inf(1)
	tests := []struct {
		name     string
		capacity float64
		targets  []float64
		want     float64
	}{
		{"no cameras", 10, nil, 0},
		{"enough for all", 10, []float64{1, 2, 3}, inf},
		{"even split", 4, []float64{1, 1, 1, 1, 1, 1, 1, 1}, 0.5},
		{"small wants are met first", 5, []float64{0.5, 2, 2, 2}, 1.5},
		{"every frame cameras share what is left", 3, []float64{1, inf, inf}, 1},
		{"nothing to give", 0, []float64{1, 1}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.InDelta(t, tt.want, FairShare(tt.capacity, tt.targets), 1e-9)
		})
	}
}
