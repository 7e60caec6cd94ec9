package warn

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bluenviron/gortsplib/v4"
	"github.com/bluenviron/gortsplib/v4/pkg/base"
	"github.com/bluenviron/gortsplib/v4/pkg/description"
	"github.com/bluenviron/gortsplib/v4/pkg/format"
	"github.com/pion/rtp"
	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/edge/audio"
	"github.com/xiuhua/xiuhua/hack/camsim/sim"
	"github.com/xiuhua/xiuhua/internal/logtest"
)

func TestBackChannelPlaysIntoCamsim(t *testing.T) {
	dir := t.TempDir()
	srv := startCamsim(t, sim.Faults{}, dir)
	pcm := warningWAV(t, 1.5)
	require.Len(t, pcm, 12000)

	// A video client on the same camera, as ingest would be: its packets
	// must keep coming while the warning plays on its own session.
	var video atomic.Int64
	watchVideo(t, srv.URL("cam1"), &video)
	require.Eventually(t, func() bool { return video.Load() > 0 }, time.Minute, 10*time.Millisecond)

	m := NewMetrics(nil)
	p := &BackChannel{Camera: "cam1", URL: srv.URL("cam1"), Metrics: m}
	before := video.Load()
	start := time.Now()
	require.NoError(t, p.Play(context.Background(), Warning{Camera: "cam1", Type: "street_vending", Audio: pcm}))
	require.Greater(t, video.Load(), before, "video stopped while the warning played")

	var recs []sim.Recording
	require.Eventually(t, func() bool { recs = srv.Recordings("cam1"); return len(recs) == 1 },
		time.Minute, 20*time.Millisecond)
	r := recs[0]
	t.Logf("warning started %v after Play, camsim heard %v of %s in %d packets over %v",
		r.First.Sub(start).Round(time.Millisecond), r.Duration, r.Codec, r.Packets, r.Last.Sub(r.First).Round(time.Millisecond))
	require.Equal(t, "PCMU", r.Codec, "camsim offers PCMU first")
	require.InDelta(t, 1.5, r.Duration.Seconds(), 0.021, "one packet of tolerance")
	require.Equal(t, 75, r.Packets)
	// Real-time pace: 75 packets of 20 ms cannot arrive in less than 74
	// intervals (a lower bound only; a loaded machine is slower, never
	// faster).
	require.GreaterOrEqual(t, r.Last.Sub(r.First), 74*packetDuration-10*time.Millisecond)
	require.InDelta(t, 440, zeroCrossingHz(r.PCM, audio.TelephoneRate), 10)
	require.Equal(t, 1.0, plays(t, m, "cam1", "backchannel", outcomePlayed))

	// The same record as JSON, for scripts: camsim -http.
	rec := httptest.NewRecorder()
	srv.RecordingsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/backchannel?stream=cam1", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	var listed []sim.Recording
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &listed))
	require.Len(t, listed, 1)
	require.Equal(t, r.Codec, listed[0].Codec)
	require.Equal(t, r.Duration, listed[0].Duration)
	require.Equal(t, r.File, listed[0].File)

	kept, err := os.ReadFile(r.File)
	require.NoError(t, err)
	clip, err := audio.DecodeWAV(kept)
	require.NoError(t, err)
	require.Equal(t, audio.TelephoneRate, clip.Rate)
	require.Equal(t, len(r.PCM), clip.Frames())
}

func TestBackChannelMissingIsReportedOnce(t *testing.T) {
	srv := startCamsim(t, sim.Faults{NoSpeaker: true}, "")
	var logs logtest.Buffer
	m := NewMetrics(nil)
	p := &BackChannel{Camera: "cam1", URL: srv.URL("cam1"), Metrics: m, Logger: newLogger(&logs)}
	for range 3 {
		err := p.Play(context.Background(), Warning{Camera: "cam1", Audio: make([]int16, 800)})
		require.ErrorIs(t, err, ErrNoBackChannel)
		var nb *NoBackChannelError
		require.True(t, errors.As(err, &nb))
		require.Equal(t, "cam1", nb.Camera)
	}
	require.Equal(t, 1, strings.Count(logs.String(), "no audio back channel"), logs.String())
	require.Equal(t, 3.0, plays(t, m, "cam1", "backchannel", outcomeNoBackChannel))
	require.Empty(t, srv.Recordings("cam1"))
}

func TestBackChannelFailsMidPlay(t *testing.T) {
	// camsim drops every client's connection each second: a camera that
	// reboots while it speaks.
	srv := startCamsim(t, sim.Faults{DropEvery: time.Second}, "")
	var logs logtest.Buffer
	m := NewMetrics(nil)
	p := &BackChannel{Camera: "cam1", URL: srv.URL("cam1"), Metrics: m, Logger: newLogger(&logs)}
	err := p.Play(context.Background(), Warning{Camera: "cam1", Audio: make([]int16, 10*audio.TelephoneRate)})
	require.Error(t, err)
	require.ErrorContains(t, err, "camera cam1")
	require.NotErrorIs(t, err, ErrNoBackChannel)
	require.Equal(t, 1.0, plays(t, m, "cam1", "backchannel", outcomeFailed))
	require.Contains(t, logs.String(), "camera=cam1")
}

func TestBackChannelCanceled(t *testing.T) {
	srv := startCamsim(t, sim.Faults{}, "")
	m := NewMetrics(nil)
	p := &BackChannel{Camera: "cam1", URL: srv.URL("cam1"), Metrics: m}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err := p.Play(ctx, Warning{Camera: "cam1", Audio: make([]int16, 30*audio.TelephoneRate)})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Equal(t, 1.0, plays(t, m, "cam1", "backchannel", outcomeCanceled))
}

// watchVideo plays url's video (no back channel requested) for the rest of
// the test, counting RTP packets.
func watchVideo(t *testing.T, url string, n *atomic.Int64) {
	t.Helper()
	u, err := base.ParseURL(url)
	require.NoError(t, err)
	tcp := gortsplib.TransportTCP
	c := &gortsplib.Client{Scheme: u.Scheme, Host: u.Host, Transport: &tcp}
	require.NoError(t, c.Start2())
	t.Cleanup(c.Close)
	desc, _, err := c.Describe(u)
	require.NoError(t, err)
	require.Len(t, desc.Medias, 1, "a client that did not ask sees no back channel")
	require.NoError(t, c.SetupAll(desc.BaseURL, desc.Medias))
	c.OnPacketRTPAny(func(_ *description.Media, _ format.Format, _ *rtp.Packet) { n.Add(1) })
	_, err = c.Play(nil)
	require.NoError(t, err)
}
