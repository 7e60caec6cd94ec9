package sim

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/bluenviron/gortsplib/v4"
	"github.com/bluenviron/gortsplib/v4/pkg/base"
	"github.com/bluenviron/gortsplib/v4/pkg/format"
	"github.com/pion/rtp"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// makeClip writes a short MPEG-4 Part 2 clip (not H.264, so Transcode has
// work to do) of the given length at 10 fps.
func makeClip(t *testing.T, seconds string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "clip.avi")
	out, err := exec.Command("ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi",
		"-i", "testsrc=size=160x120:rate=10", "-t", seconds, "-c:v", "mpeg4", p).CombinedOutput()
	require.NoError(t, err, "%s", out)
	return p
}

func TestTranscodeCachesByContent(t *testing.T) {
	cache := t.TempDir()
	clip := makeClip(t, "1")
	ctx := context.Background()

	ts, err := Transcode(ctx, clip, cache)
	require.NoError(t, err)
	require.Equal(t, filepath.Join(cache, "media"), filepath.Dir(ts))
	st1, err := os.Stat(ts)
	require.NoError(t, err)

	// The same content again, under another name: the cached file, untouched.
	copyPath := filepath.Join(t.TempDir(), "clip.avi")
	data, err := os.ReadFile(clip)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(copyPath, data, 0o644))
	ts2, err := Transcode(ctx, copyPath, cache)
	require.NoError(t, err)
	require.Equal(t, ts, ts2)
	st2, err := os.Stat(ts2)
	require.NoError(t, err)
	require.Equal(t, st1.ModTime(), st2.ModTime())

	// What came out is what a camera sends: H.264, IDR first, 10 frames.
	n, idr := 0, 0
	require.NoError(t, ReadAccessUnits(ts, func(_, _ int64, au [][]byte) error {
		for _, nalu := range au {
			if nalu[0]&0x1f == 5 {
				idr++
				break
			}
		}
		n++
		return nil
	}))
	require.Equal(t, 10, n)
	require.Equal(t, 1, idr, "one IDR per second")

	sps, pps, err := ParameterSets(ts)
	require.NoError(t, err)
	require.NotEmpty(t, sps)
	require.NotEmpty(t, pps)

	// No temporary files are left behind.
	left, err := filepath.Glob(filepath.Join(cache, "media", "*.partial"))
	require.NoError(t, err)
	require.Empty(t, left)
}

func TestTranscodeBadInput(t *testing.T) {
	cache := t.TempDir()
	bad := filepath.Join(t.TempDir(), "notvideo.avi")
	require.NoError(t, os.WriteFile(bad, []byte("this is not a video"), 0o644))
	_, err := Transcode(context.Background(), bad, cache)
	require.ErrorContains(t, err, "ffmpeg")
	entries, err := filepath.Glob(filepath.Join(cache, "media", "*.ts*"))
	require.NoError(t, err)
	for _, e := range entries {
		require.Equal(t, ".lock", filepath.Ext(e), "only the lock file may remain, not %s", e)
	}

	_, err = Transcode(context.Background(), filepath.Join(t.TempDir(), "missing.avi"), cache)
	require.Error(t, err)
}

// TestServerLoopsWithContinuousTimestamps plays a 1 s clip for longer than
// a loop and checks the RTP timestamps of access units keep growing by one
// frame (9000 ticks at 10 fps) through the loop point.
func TestServerLoopsWithContinuousTimestamps(t *testing.T) {
	ts, err := Transcode(context.Background(), makeClip(t, "1"), t.TempDir())
	require.NoError(t, err)
	srv := &Server{Listen: "127.0.0.1:0"}
	require.NoError(t, srv.Start([]Stream{{Name: "clip", File: ts}}))
	defer srv.Close()

	var mu sync.Mutex
	var stamps []uint32
	c := playH264(t, srv.URL("clip"), func(pkt *rtp.Packet) {
		mu.Lock()
		defer mu.Unlock()
		if n := len(stamps); n == 0 || stamps[n-1] != pkt.Timestamp {
			stamps = append(stamps, pkt.Timestamp)
		}
	})
	defer c.Close()

	deadline := time.Now().Add(20 * time.Second)
	for {
		mu.Lock()
		n := len(stamps)
		mu.Unlock()
		if n >= 25 {
			break
		}
		require.True(t, time.Now().Before(deadline), "only %d access units in 20 s", n)
		time.Sleep(50 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	for i := 1; i < len(stamps); i++ {
		require.Equal(t, uint32(9000), stamps[i]-stamps[i-1], "step %d of %v", i, stamps)
	}
}

func TestServerRejectsUnknownPathAndBadCredentials(t *testing.T) {
	ts, err := Transcode(context.Background(), makeClip(t, "1"), t.TempDir())
	require.NoError(t, err)
	srv := &Server{Listen: "127.0.0.1:0", User: "u", Pass: "p"}
	require.NoError(t, srv.Start([]Stream{{Name: "clip", File: ts}}))
	defer srv.Close()

	describe := func(raw string) error {
		u, err := base.ParseURL(raw)
		require.NoError(t, err)
		c := &gortsplib.Client{Scheme: u.Scheme, Host: u.Host}
		require.NoError(t, c.Start2())
		defer c.Close()
		_, _, err = c.Describe(u)
		return err
	}
	host := srv.Addr()
	require.NoError(t, describe("rtsp://u:p@"+host+"/clip"))
	require.ErrorContains(t, describe("rtsp://u:p@"+host+"/nope"), "404")
	require.ErrorContains(t, describe("rtsp://"+host+"/clip"), "401")
	require.Error(t, describe("rtsp://u:wrong@"+host+"/clip"))
}

// playH264 connects to url over TCP, plays its H.264 track and calls onRTP
// for every packet.
func playH264(t *testing.T, raw string, onRTP func(*rtp.Packet)) *gortsplib.Client {
	t.Helper()
	u, err := base.ParseURL(raw)
	require.NoError(t, err)
	tcp := gortsplib.TransportTCP
	c := &gortsplib.Client{Scheme: u.Scheme, Host: u.Host, Transport: &tcp}
	require.NoError(t, c.Start2())
	desc, _, err := c.Describe(u)
	if err != nil {
		c.Close()
		require.NoError(t, err)
	}
	var forma *format.H264
	media := desc.FindFormat(&forma)
	require.NotNil(t, media, "an H.264 track")
	require.NotEmpty(t, forma.SPS, "SPS in the SDP")
	_, err = c.Setup(desc.BaseURL, media, 0, 0)
	require.NoError(t, err)
	c.OnPacketRTP(media, forma, onRTP)
	_, err = c.Play(nil)
	require.NoError(t, err)
	return c
}

// TestTranscodeH265Scaled checks the codec and height options: an H.265
// copy at another size, cached apart from the H.264 one, with its VPS, SPS
// and PPS found for the SDP.
func TestTranscodeH265Scaled(t *testing.T) {
	cache := t.TempDir()
	clip := makeClip(t, "1")
	h264ts, err := Transcode(context.Background(), clip, cache)
	require.NoError(t, err)
	ts, err := TranscodeWith(context.Background(), clip, cache, TranscodeOptions{Codec: CodecH265, Height: 60})
	require.NoError(t, err)
	require.NotEqual(t, h264ts, ts)
	info, err := Probe(ts)
	require.NoError(t, err)
	require.Equal(t, CodecH265, info.Codec)
	require.NotEmpty(t, info.VPS)
	require.NotEmpty(t, info.SPS)
	require.NotEmpty(t, info.PPS)
	n := 0
	require.NoError(t, ReadAccessUnits(ts, func(_, _ int64, au [][]byte) error {
		n++
		return nil
	}))
	require.Equal(t, 10, n)
	out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=codec_name,height",
		"-of", "csv=p=0", ts).CombinedOutput()
	require.NoError(t, err, "%s", out)
	// MPEG-TS lists the stream under its program too: the first line says it.
	first, _, _ := bytes.Cut(bytes.TrimSpace(out), []byte("\n"))
	require.Equal(t, "hevc,60", string(first))

	_, err = TranscodeWith(context.Background(), clip, cache, TranscodeOptions{Codec: "vp8"})
	require.ErrorContains(t, err, `codec "vp8"`)
}
