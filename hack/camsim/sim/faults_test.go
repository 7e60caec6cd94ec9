package sim

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseOption(t *testing.T) {
	tests := []struct {
		opt     string
		wantO   TranscodeOptions
		wantF   Faults
		wantErr string
	}{
		{opt: "h265", wantO: TranscodeOptions{Codec: CodecH265}},
		{opt: "h264", wantO: TranscodeOptions{Codec: CodecH264}},
		{opt: "height=1080", wantO: TranscodeOptions{Height: 1080}},
		{opt: "fps=25", wantO: TranscodeOptions{FPS: 25}},
		{opt: "keyframe=2s", wantO: TranscodeOptions{KeyframeSeconds: 2}},
		{opt: "drop=5s", wantF: Faults{DropEvery: 5 * time.Second}},
		{opt: "stall=2s", wantF: Faults{StallFor: 2 * time.Second}},
		{opt: "stall=2s/10s", wantF: Faults{StallFor: 2 * time.Second, StallEvery: 10 * time.Second}},
		{opt: "corrupt=10", wantF: Faults{CorruptEvery: 10}},
		{opt: "badsps", wantF: Faults{BadSPS: true}},
		{opt: "nospeaker", wantF: Faults{NoSpeaker: true}},
		{opt: "nospeaker=1", wantErr: "unknown option"},
		{opt: "drop=soon", wantErr: "positive duration"},
		{opt: "corrupt=-1", wantErr: "positive whole number"},
		{opt: "h265=1", wantErr: "takes no value"},
		{opt: "sparkle", wantErr: "unknown option"},
	}
	for _, tt := range tests {
		t.Run(tt.opt, func(t *testing.T) {
			var o TranscodeOptions
			var f Faults
			err := ParseOption(tt.opt, &o, &f)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.wantO, o)
			require.Equal(t, tt.wantF, f)
		})
	}
}

func TestFaultsStallSchedule(t *testing.T) {
	f := Faults{StallFor: 2 * time.Second, StallEvery: 5 * time.Second}
	for _, tt := range []struct {
		at   time.Duration
		want bool
	}{{0, false}, {2900 * time.Millisecond, false}, {3 * time.Second, true}, {4900 * time.Millisecond, true}, {5 * time.Second, false}, {8500 * time.Millisecond, true}} {
		require.Equal(t, tt.want, f.stalled(tt.at), "at %v", tt.at)
	}
	require.False(t, Faults{}.stalled(time.Hour))
	require.False(t, Faults{NoSpeaker: true}.Any(), "no speaker leaves the video alone")
	require.Equal(t, 5*time.Second, Faults{StallFor: 2 * time.Second}.stallPeriod(), "default: 3 s of stream between stalls")
	require.Error(t, Faults{StallFor: 5 * time.Second, StallEvery: 2 * time.Second}.Validate())
	require.Error(t, Faults{DropEvery: -time.Second}.Validate())
}

func TestManglerDamagesCopiesOnly(t *testing.T) {
	sps := []byte{0x67, 0x4d, 0x00, 0x1f, 0x9a, 0x66, 0x02, 0x80, 0x2d, 0xd0}
	idr := append([]byte{0x65}, make([]byte, 200)...)
	p := append([]byte{0x41}, make([]byte, 200)...)
	key := [][]byte{sps, {0x68, 0xee, 0x3c, 0x80}, idr}
	m := &mangler{faults: Faults{BadSPS: true, CorruptEvery: 2}, codec: CodecH264}

	first := m.apply(key) // keyframe 1: SPS kept; unit 1: not corrupted
	require.Equal(t, sps, first[0])
	second := m.apply([][]byte{p}) // unit 2: corrupted
	require.NotEqual(t, p, second[0])
	require.Equal(t, byte(0x41), second[0][0], "the NAL header survives")
	third := m.apply(key) // keyframe 2: lying SPS
	require.NotEqual(t, sps, third[0])
	require.Equal(t, sps[:4], third[0][:4])

	// The originals are untouched: the reader may reuse them.
	require.Equal(t, []byte{0x67, 0x4d, 0x00, 0x1f, 0x9a, 0x66, 0x02, 0x80, 0x2d, 0xd0}, sps)
	require.Equal(t, make([]byte, 200), p[1:])
	require.Equal(t, make([]byte, 200), idr[1:])
}

func TestTranscodeOptions(t *testing.T) {
	require.Empty(t, TranscodeOptions{}.cacheTag(), "the default keeps the old cache names")
	require.Empty(t, TranscodeOptions{Codec: CodecH264, KeyframeSeconds: 1}.cacheTag())
	require.NotEqual(t, TranscodeOptions{Codec: CodecH265}.cacheTag(), TranscodeOptions{Height: 1080}.cacheTag())
	for _, bad := range []TranscodeOptions{{Codec: "vp9"}, {Height: 1081}, {FPS: -1}, {KeyframeSeconds: 100}, {Seconds: -1}} {
		require.Error(t, bad.Validate(), "%+v", bad)
	}
}
