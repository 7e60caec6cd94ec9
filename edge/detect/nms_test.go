package detect

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestIoU(t *testing.T) {
	tests := []struct {
		name string
		a, b Box
		want float32
	}{
		{"same", Box{X1: 0, Y1: 0, X2: 10, Y2: 10}, Box{X1: 0, Y1: 0, X2: 10, Y2: 10}, 1},
		{"half overlap", Box{X1: 0, Y1: 0, X2: 10, Y2: 10}, Box{X1: 5, Y1: 0, X2: 15, Y2: 10}, 50.0 / 150},
		{"inside", Box{X1: 0, Y1: 0, X2: 10, Y2: 10}, Box{X1: 2, Y1: 2, X2: 7, Y2: 7}, 25.0 / 100},
		{"touching edges", Box{X1: 0, Y1: 0, X2: 10, Y2: 10}, Box{X1: 10, Y1: 0, X2: 20, Y2: 10}, 0},
		{"apart", Box{X1: 0, Y1: 0, X2: 10, Y2: 10}, Box{X1: 20, Y1: 20, X2: 30, Y2: 30}, 0},
		{"empty box", Box{X1: 5, Y1: 5, X2: 5, Y2: 5}, Box{X1: 0, Y1: 0, X2: 10, Y2: 10}, 0},
		{"inverted box", Box{X1: 10, Y1: 10, X2: 0, Y2: 0}, Box{X1: 0, Y1: 0, X2: 10, Y2: 10}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.InDelta(t, tt.want, iouOf(tt.a, tt.b), 1e-6)
			require.InDelta(t, tt.want, iouOf(tt.b, tt.a), 1e-6, "symmetric")
		})
	}
}

func TestNMS(t *testing.T) {
	c := func(score float32, class int, x1, y1, x2, y2 float32) candidate {
		return candidate{box: Box{X1: x1, Y1: y1, X2: x2, Y2: y2}, score: score, class: class}
	}
	tests := []struct {
		name  string
		in    []candidate
		iou   float32
		limit int
		want  []candidate
	}{
		{"empty", nil, 0.45, 10, []candidate{}},
		{
			"overlapping same class: highest kept",
			[]candidate{c(0.6, 0, 1, 1, 11, 11), c(0.9, 0, 0, 0, 10, 10)},
			0.45, 10,
			[]candidate{c(0.9, 0, 0, 0, 10, 10)},
		},
		{
			"overlapping different classes: both kept",
			[]candidate{c(0.6, 1, 1, 1, 11, 11), c(0.9, 0, 0, 0, 10, 10)},
			0.45, 10,
			[]candidate{c(0.9, 0, 0, 0, 10, 10), c(0.6, 1, 1, 1, 11, 11)},
		},
		{
			"overlap at threshold is kept (suppress only above)",
			[]candidate{c(0.9, 0, 0, 0, 10, 10), c(0.8, 0, 5, 0, 15, 10)}, // IoU 1/3
			1.0 / 3, 10,
			[]candidate{c(0.9, 0, 0, 0, 10, 10), c(0.8, 0, 5, 0, 15, 10)},
		},
		{
			"suppressed box does not suppress others",
			// B overlaps A and C; A suppresses B, so C (apart from A) stays.
			[]candidate{c(0.9, 0, 0, 0, 10, 10), c(0.8, 0, 4, 0, 14, 10), c(0.7, 0, 8, 0, 18, 10)},
			0.3, 10,
			[]candidate{c(0.9, 0, 0, 0, 10, 10), c(0.7, 0, 8, 0, 18, 10)},
		},
		{
			"limit keeps the highest",
			[]candidate{c(0.5, 0, 0, 0, 1, 1), c(0.7, 0, 10, 10, 11, 11), c(0.6, 0, 20, 20, 21, 21)},
			0.45, 2,
			[]candidate{c(0.7, 0, 10, 10, 11, 11), c(0.6, 0, 20, 20, 21, 21)},
		},
		{
			"equal scores keep input order",
			[]candidate{c(0.5, 1, 0, 0, 1, 1), c(0.5, 0, 10, 10, 11, 11), c(0.5, 2, 20, 20, 21, 21)},
			0.45, 10,
			[]candidate{c(0.5, 1, 0, 0, 1, 1), c(0.5, 0, 10, 10, 11, 11), c(0.5, 2, 20, 20, 21, 21)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := nms(append([]candidate(nil), tt.in...), tt.iou, tt.limit)
			require.Equal(t, tt.want, append([]candidate{}, got...))
		})
	}
}
