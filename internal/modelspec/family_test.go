package modelspec

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCheckInput(t *testing.T) {
	m := &Manifest{Input: Input{Width: 416, Height: 320, Layout: "NCHW"}}
	for _, tc := range []struct {
		name string
		dims []int64
		want string // error substring; empty: accepted
	}{
		{"exact", []int64{1, 3, 320, 416}, ""},
		{"dynamic batch and size", []int64{-1, 3, -1, -1}, ""},
		{"other size", []int64{1, 3, 416, 416}, "the manifest (input NCHW, width 416, height 320) wants [1 3 320 416]"},
		{"three dims", []int64{3, 320, 416}, "has shape [3 320 416]"},
		{"NHWC model", []int64{1, 320, 416, 3}, "wants [1 3 320 416]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := m.CheckInput("images", tc.dims)
			if tc.want == "" {
				require.NoError(t, err)
				require.Equal(t, []int64{1, 3, 320, 416}, got)
				return
			}
			require.ErrorContains(t, err, tc.want)
		})
	}
	m.Input.Layout = "NHWC"
	got, err := m.CheckInput("images", []int64{1, 320, 416, 3})
	require.NoError(t, err)
	require.Equal(t, []int64{1, 320, 416, 3}, got)
}

func TestCheckOutput(t *testing.T) {
	three := []string{"a", "b", "c"}
	for _, tc := range []struct {
		family string
		dims   []int64
		want   []int64 // nil: an error containing err
		err    string
	}{
		{"yolox", []int64{1, 3549, 8}, []int64{1, 3549, 8}, ""},
		{"yolox", []int64{-1, 3549, 8}, []int64{1, 3549, 8}, ""},
		{"yolox", []int64{1, 2100, 8}, nil, "2100 boxes, but a 416x416 input"},
		{"yolox", []int64{1, 3549, 85}, nil, "so 80 classes, but the manifest lists 3"},
		{"yolox", []int64{1, 3549}, nil, "family yolox wants [1, boxes, 5+classes]"},
		{"yolox", []int64{2, 3549, 8}, nil, "batch size 2"},
		{"yolov5", []int64{1, 25200, 8}, []int64{1, 25200, 8}, ""},
		{"yolov5", []int64{1, -1, 8}, []int64{1, -1, 8}, ""},
		{"yolov5", []int64{1, 100, -1}, nil, "must be fixed"},
		{"yolov5", []int64{1, 0, 8}, nil, "no boxes"},
		{"yolov8", []int64{1, 7, 8400}, []int64{1, 7, 8400}, ""},
		{"yolov8", []int64{1, 8400, 7}, nil, "8400 values per box"},
		{"yolov8", []int64{1, 3, 8400}, nil, "not a yolov8 layout"},
		{"nms_free", []int64{1, 300, 6}, []int64{1, 300, 6}, ""},
		{"nms_free", []int64{1, 300, 7}, nil, "family nms_free wants [1, boxes, 6]"},
	} {
		t.Run(fmt.Sprint(tc.family, tc.dims), func(t *testing.T) {
			m := &Manifest{Family: tc.family, Classes: three, Input: Input{Width: 416, Height: 416}}
			got, err := m.CheckOutput(tc.dims)
			if tc.want != nil {
				require.NoError(t, err)
				require.Equal(t, tc.want, got)
				return
			}
			require.ErrorContains(t, err, tc.err)
		})
	}
	_, err := (&Manifest{Family: "ssd"}).CheckOutput([]int64{1})
	require.ErrorContains(t, err, `unknown family "ssd"`)
}
