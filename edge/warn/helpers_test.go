package warn

import (
	"context"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/edge/audio"
	"github.com/xiuhua/xiuhua/hack/camsim/sim"
	"github.com/xiuhua/xiuhua/internal/logtest"
	"github.com/xiuhua/xiuhua/internal/testdata"
)

// startCamsim serves vtest.avi as rtsp://.../cam1 with the given faults,
// keeping back-channel audio as WAV files in dir.
func startCamsim(t *testing.T, faults sim.Faults, dir string) *sim.Server {
	t.Helper()
	srv := &sim.Server{Listen: "127.0.0.1:0", BackChannelDir: dir, Logger: slog.New(slog.DiscardHandler)}
	require.NoError(t, srv.Start([]sim.Stream{{Name: "cam1", File: transcoded(t), Faults: faults}}))
	t.Cleanup(srv.Close)
	return srv
}

// transcoded is vtest.avi as camsim serves it (cached across tests).
func transcoded(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	ts, err := sim.Transcode(ctx, testdata.Path(t, "media", "vtest.avi"), testdata.CacheDir())
	require.NoError(t, err)
	return ts
}

// warningWAV writes seconds of a 440 Hz tone as a 44.1 kHz stereo 16-bit
// WAV file, the kind an operator records on a laptop, and loads it as a
// warning.
func warningWAV(t *testing.T, seconds float64) []int16 {
	t.Helper()
	const rate = 44100
	n := int(seconds * rate)
	pcm := make([]int16, n)
	for i := range pcm {
		pcm[i] = int16(0.5 * math.MaxInt16 * math.Sin(2*math.Pi*440*float64(i)/rate))
	}
	// EncodeWAV writes mono; the stereo case is covered in edge/audio.
	path := filepath.Join(t.TempDir(), "warn.wav")
	require.NoError(t, os.WriteFile(path, audio.EncodeWAV(rate, pcm), 0o600))
	out, err := audio.LoadWarning(path)
	require.NoError(t, err)
	return out
}

// zeroCrossingHz estimates a tone's frequency from its sign changes.
func zeroCrossingHz(x []int16, rate int) float64 {
	n := 0
	for i := 1; i < len(x); i++ {
		if (x[i-1] < 0) != (x[i] < 0) {
			n++
		}
	}
	return float64(n) / 2 / (float64(len(x)) / float64(rate))
}

func newLogger(buf *logtest.Buffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(buf, nil))
}

func plays(t *testing.T, m *Metrics, camera, player, outcome string) float64 {
	t.Helper()
	return counter(t, m.plays.WithLabelValues(camera, player, outcome))
}

func counter(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	var d dto.Metric
	require.NoError(t, c.Write(&d))
	return d.GetCounter().GetValue()
}
