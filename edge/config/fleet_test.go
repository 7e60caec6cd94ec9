package config

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRingBytes(t *testing.T) {
	tests := []struct {
		name  string
		own   []int
		total int64
		want  []int
	}{
		{"no caps: the default", []int{0, 0}, 0, []int{0, 0}},
		{"own caps only", []int{8 << 20, 0}, 0, []int{8 << 20, 0}},
		{"box-wide cap shared evenly", []int{0, 0, 0, 0}, 64 << 20, []int{16 << 20, 16 << 20, 16 << 20, 16 << 20}},
		{"the smaller cap wins", []int{4 << 20, 32 << 20}, 32 << 20, []int{4 << 20, 16 << 20}},
		{"a tiny total still keeps something", []int{0, 0, 0}, 2, []int{1, 1, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Config{Fleet: Fleet{RingBufferTotalBytes: tt.total}}
			for _, b := range tt.own {
				c.Cameras = append(c.Cameras, Camera{RingBufferBytes: b})
			}
			for i, want := range tt.want {
				require.Equal(t, want, c.RingBytes(i), "camera %d", i)
			}
		})
	}
}

func TestLooks(t *testing.T) {
	for _, tt := range []struct {
		name                   string
		parallel, threads, cpu int
		want                   int
	}{
		{"runtime threads fill the cores: one look", 0, 0, 8, 1},
		{"one thread a look on two cores", 0, 1, 2, 2},
		{"two threads a look on eight cores", 0, 2, 8, 4},
		{"more threads than cores", 0, 4, 2, 1},
		{"auto stops at eight copies", 0, 1, 64, 8},
		{"set: as set", 3, 0, 2, 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := Config{Fleet: Fleet{ParallelLooks: tt.parallel}, Model: Model{Threads: tt.threads}}
			require.Equal(t, tt.want, c.Looks(tt.cpu))
		})
	}
}
