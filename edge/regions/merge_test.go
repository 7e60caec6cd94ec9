package regions

import (
	"image"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/edge/vision"
)

func det(class string, score float32, x1, y1, x2, y2 float32) vision.Detection {
	return vision.Detection{Class: class, Score: score, Box: vision.Box{X1: x1, Y1: y1, X2: x2, Y2: y2}}
}

// Two tiles side by side sharing x 333..416 of a 749×416 frame.
var seamTiles = []image.Rectangle{image.Rect(0, 0, 416, 416), image.Rect(333, 0, 749, 416)}
var seamFrame = image.Pt(749, 416)

func TestMergeRemovesSeamDuplicates(t *testing.T) {
	cases := []struct {
		name    string
		perTile [][]vision.Detection
		full    []vision.Detection
		want    []vision.Detection
	}{
		{"object in the overlap, found by both tiles: the view farther from its tile's edge, the best score",
			[][]vision.Detection{{det("chair", 0.8, 350, 100, 400, 200)}, {det("chair", 0.7, 351, 101, 401, 199)}}, nil,
			[]vision.Detection{det("chair", 0.8, 351, 101, 401, 199)}},
		{"object wider than the overlap, cut in two by the seams",
			[][]vision.Detection{{det("umbrella", 0.6, 300, 50, 416, 150)}, {det("umbrella", 0.7, 333, 52, 500, 149)}}, nil,
			[]vision.Detection{det("umbrella", 0.7, 300, 50, 500, 150)}},
		{"whole in one tile, a piece in the other",
			[][]vision.Detection{{det("bench", 0.5, 340, 300, 410, 380)}, {det("bench", 0.9, 333, 300, 410, 380)}}, nil,
			[]vision.Detection{det("bench", 0.9, 340, 300, 410, 380)}},
		{"a piece does not swallow the whole object with a lower score",
			[][]vision.Detection{{det("bench", 0.5, 200, 300, 380, 380)}, {det("bench", 0.9, 333, 300, 380, 380)}}, nil,
			[]vision.Detection{det("bench", 0.9, 200, 300, 380, 380)}},
		{"two objects side by side stay two",
			[][]vision.Detection{{det("chair", 0.8, 300, 100, 360, 200), det("chair", 0.7, 362, 100, 414, 200)}}, nil,
			[]vision.Detection{det("chair", 0.8, 300, 100, 360, 200), det("chair", 0.7, 362, 100, 414, 200)}},
		{"different classes on one spot stay",
			[][]vision.Detection{{det("person", 0.8, 350, 100, 400, 300)}, {det("umbrella", 0.7, 340, 80, 410, 150)}}, nil,
			[]vision.Detection{det("person", 0.8, 350, 100, 400, 300), det("umbrella", 0.7, 340, 80, 410, 150)}},
		{"a box at the frame's edge is not a piece",
			[][]vision.Detection{{det("chair", 0.8, 0, 0, 50, 50)}, {det("chair", 0.6, 700, 0, 749, 60)}}, nil,
			[]vision.Detection{det("chair", 0.8, 0, 0, 50, 50), det("chair", 0.6, 700, 0, 749, 60)}},
		{"the full frame's coarse box joins the tile's",
			[][]vision.Detection{{det("chair", 0.6, 100, 100, 160, 200)}, nil}, []vision.Detection{det("chair", 0.5, 98, 104, 158, 204), det("person", 0.9, 600, 10, 650, 200)},
			[]vision.Detection{det("person", 0.9, 600, 10, 650, 200), det("chair", 0.6, 100, 100, 160, 200)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, Merge(seamFrame, seamTiles, tc.perTile, tc.full))
		})
	}
}

func TestMergeFourPiecesAtACorner(t *testing.T) {
	tiles := []image.Rectangle{image.Rect(0, 0, 416, 416), image.Rect(333, 0, 749, 416), image.Rect(0, 333, 416, 749), image.Rect(333, 333, 749, 749)}
	per := [][]vision.Detection{
		{det("dining table", 0.5, 250, 250, 416, 416)},
		{det("dining table", 0.6, 333, 250, 520, 416)},
		{det("dining table", 0.4, 250, 333, 416, 520)},
		{det("dining table", 0.7, 333, 333, 520, 520)},
	}
	got := Merge(image.Pt(749, 749), tiles, per, nil)
	require.Equal(t, []vision.Detection{det("dining table", 0.7, 250, 250, 520, 520)}, got)
}
