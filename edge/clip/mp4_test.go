package clip

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h265"
	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/hack/camsim/sim"
	"github.com/xiuhua/xiuhua/internal/testdata"
)

// probe is what ffprobe says about a file's video stream.
type probe struct {
	Streams []struct {
		CodecName    string `json:"codec_name"`
		Width        int    `json:"width"`
		Height       int    `json:"height"`
		NbReadFrames string `json:"nb_read_frames"`
	} `json:"streams"`
	Format struct {
		Duration string `json:"duration"`
	} `json:"format"`
}

func ffprobe(t *testing.T, data []byte) probe {
	t.Helper()
	bin, err := exec.LookPath("ffprobe")
	require.NoError(t, err, "ffprobe is needed (Debian: apt-get install ffmpeg; hack/setup.sh installs it)")
	p := filepath.Join(t.TempDir(), "clip.mp4")
	require.NoError(t, os.WriteFile(p, data, 0o644))
	out, err := exec.Command(bin, "-v", "error", "-count_frames", "-show_entries",
		"stream=codec_name,width,height,nb_read_frames:format=duration", "-of", "json", p).CombinedOutput()
	require.NoError(t, err, "ffprobe: %s", out)
	var pr probe
	require.NoError(t, json.Unmarshal(out, &pr), "%s", out)
	require.Len(t, pr.Streams, 1, "%s", out)
	return pr
}

// streamPackets reads a 4 s, 25 fps test pattern in codec as ring packets
// arriving in real time from t0.
func streamPackets(t *testing.T, codec string, t0 time.Time) []Packet {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	src, err := sim.MakePattern(ctx, testdata.CacheDir(), sim.Pattern{Width: 320, Height: 240, FPS: 25, Seconds: 4})
	require.NoError(t, err)
	ts, err := sim.TranscodeWith(ctx, src, testdata.CacheDir(), sim.TranscodeOptions{Codec: codec})
	require.NoError(t, err)
	var pkts []Packet
	require.NoError(t, sim.ReadAccessUnits(ts, func(pts, _ int64, au [][]byte) error {
		d := time.Duration(pts) * time.Second / 90000
		key := h264.IsRandomAccess(au)
		if codec == sim.CodecH265 {
			key = h265.IsRandomAccess(au)
		}
		pkts = append(pkts, Packet{Time: t0.Add(d), PTS: d, Session: 1, Key: key, AU: au})
		return nil
	}))
	return pkts
}

func TestClipIsPlayableMP4(t *testing.T) {
	tests := []struct {
		codec, probeName string
		c                Codec
	}{
		{sim.CodecH264, "h264", H264},
		{sim.CodecH265, "hevc", H265},
	}
	for _, tt := range tests {
		t.Run(tt.codec, func(t *testing.T) {
			t0 := time.Unix(5000, 0)
			r := NewRing(time.Minute, 0)
			r.SetParams(Params{Codec: tt.c})
			for _, p := range streamPackets(t, tt.codec, t0) {
				r.Push(p)
			}
			// 1.5 s before to 1 s after 2.2 s in: starts at the keyframe
			// at 0 s (the one before 0.7 s), ends at 3.2 s: 81 frames.
			data, err := r.Clip(context.Background(), t0.Add(2200*time.Millisecond), 1500*time.Millisecond, time.Second)
			require.NoError(t, err)
			pr := ffprobe(t, data)
			s := pr.Streams[0]
			require.Equal(t, tt.probeName, s.CodecName)
			require.Equal(t, [2]int{320, 240}, [2]int{s.Width, s.Height})
			require.Equal(t, "81", s.NbReadFrames)
			dur, err := strconv.ParseFloat(pr.Format.Duration, 64)
			require.NoError(t, err)
			require.InDelta(t, 3.24, dur, 0.1)
		})
	}
}

func TestEncodeMP4Errors(t *testing.T) {
	key := Packet{Key: true, AU: [][]byte{{0x65, 1, 2}}}
	_, err := EncodeMP4(Params{}, nil)
	require.ErrorContains(t, err, "no packets")
	_, err = EncodeMP4(Params{}, []Packet{{AU: [][]byte{{0x41}}}})
	require.ErrorContains(t, err, "not a keyframe")
	_, err = EncodeMP4(Params{Codec: H265}, []Packet{key})
	require.ErrorContains(t, err, "no H.265 parameter sets")
	// A lying SPS is an error, not a panic.
	_, err = EncodeMP4(Params{SPS: []byte{0x67, 0xff}, PPS: []byte{0x68, 0xee}}, []Packet{key})
	require.Error(t, err)
}
