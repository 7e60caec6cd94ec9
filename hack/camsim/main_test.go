package main

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/bluenviron/gortsplib/v4"
	"github.com/bluenviron/gortsplib/v4/pkg/base"
	"github.com/bluenviron/gortsplib/v4/pkg/format"
	"github.com/bluenviron/gortsplib/v4/pkg/format/rtph264"
	"github.com/pion/rtp"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/xiuhua/xiuhua/internal/logtest"
	"github.com/xiuhua/xiuhua/internal/testdata"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var servingRE = regexp.MustCompile(`serving (rtsp://\S+/cam1)`)

// TestServesH264 runs camsim in-process on a free port with vtest.avi and
// plays it with a gortsplib client until H.264 access units arrive.
func TestServesH264(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs logtest.Buffer
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, []string{"-listen", "127.0.0.1:0",
			"-stream", "cam1=" + testdata.Path(t, "media", "vtest.avi")}, &logs)
	}()

	var url string
	deadline := time.Now().Add(5 * time.Minute) // the first run transcodes
	for url == "" {
		if m := servingRE.FindStringSubmatch(logs.String()); m != nil {
			url = m[1]
			break
		}
		select {
		case c := <-code:
			t.Fatalf("camsim exited with %d:\n%s", c, logs.String())
		default:
		}
		require.True(t, time.Now().Before(deadline), "camsim did not start:\n%s", logs.String())
		time.Sleep(20 * time.Millisecond)
	}

	u, err := base.ParseURL(url)
	require.NoError(t, err)
	c := &gortsplib.Client{Scheme: u.Scheme, Host: u.Host}
	require.NoError(t, c.Start2())
	defer c.Close()
	desc, _, err := c.Describe(u)
	require.NoError(t, err)
	var forma *format.H264
	media := desc.FindFormat(&forma)
	require.NotNil(t, media, "H.264 track")
	dec, err := forma.CreateDecoder()
	require.NoError(t, err)
	_, err = c.Setup(desc.BaseURL, media, 0, 0)
	require.NoError(t, err)

	aus := make(chan [][]byte, 100)
	c.OnPacketRTP(media, forma, func(pkt *rtp.Packet) {
		au, err := dec.Decode(pkt)
		if err == nil {
			select {
			case aus <- au:
			default:
			}
		} else if err != rtph264.ErrMorePacketsNeeded && err != rtph264.ErrNonStartingPacketAndNoPrevious {
			t.Errorf("depacketize: %v", err)
		}
	})
	_, err = c.Play(nil)
	require.NoError(t, err)
	for i := range 5 {
		select {
		case au := <-aus:
			require.NotEmpty(t, au)
		case <-time.After(10 * time.Second):
			t.Fatalf("access unit %d did not arrive", i)
		}
	}
	c.Close()

	cancel()
	select {
	case c := <-code:
		require.Equal(t, 0, c, logs.String())
	case <-time.After(10 * time.Second):
		t.Fatal("camsim did not stop after cancel")
	}
	require.Contains(t, logs.String(), "shutting down")
}

func TestBadFlagsExit2(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"-stream", "cam1"},
		{"-stream", "cam1=/does/not/exist.avi"},
		{"-stream", "a/b=" + testdata.Path(t, "media", "vtest.avi")},
		{"-stream", "cam1=" + testdata.Path(t, "media", "vtest.avi"), "-udp-port", "8001"},
		{"-stream", "cam1=" + testdata.Path(t, "media", "vtest.avi"), "-listen", "nohost"},
		{"-nosuchflag"},
		{"-stream", "cam1=" + testdata.Path(t, "media", "vtest.avi") + ":sparkle"},
		{"-stream", "cam1=" + testdata.Path(t, "media", "vtest.avi") + ":stall=5s/2s"},
		{"-stream", "cam1=" + testdata.Path(t, "media", "vtest.avi"), "-codec", "vp9"},
		{"-stream", "cam1=" + testdata.Path(t, "media", "vtest.avi"), "-height", "1081"},
	} {
		var out logtest.Buffer
		require.Equal(t, 2, run(context.Background(), args, &out), "args %q", args)
		require.Contains(t, out.String(), "usage:", "args %q", args)
	}
}

func TestStreamOptionsParse(t *testing.T) {
	vtest := testdata.Path(t, "media", "vtest.avi")
	var out logtest.Buffer
	o, err := parseFlags([]string{"-codec", "h265", "-height", "1080",
		"-stream", "a=" + vtest,
		"-stream", "b=" + vtest + ":h264,height=720,drop=5s,stall=1s/4s,corrupt=7,badsps,nospeaker"}, &out)
	require.NoError(t, err, out.String())
	require.Len(t, o.streams, 2)
	a, b := o.streams[0], o.streams[1]
	require.Equal(t, vtest, a.File)
	require.Equal(t, "h265", a.Opts.Codec, "the global codec")
	require.Equal(t, 1080, a.Opts.Height, "the global height")
	require.False(t, a.Faults.Any())
	require.Equal(t, vtest, b.File)
	require.Equal(t, "h264", b.Opts.Codec)
	require.Equal(t, 720, b.Opts.Height)
	require.Equal(t, 5*time.Second, b.Faults.DropEvery)
	require.Equal(t, time.Second, b.Faults.StallFor)
	require.Equal(t, 4*time.Second, b.Faults.StallEvery)
	require.Equal(t, 7, b.Faults.CorruptEvery)
	require.True(t, b.Faults.BadSPS)
	require.True(t, b.Faults.NoSpeaker)
	require.False(t, a.Faults.NoSpeaker)
}
