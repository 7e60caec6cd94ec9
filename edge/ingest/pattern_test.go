package ingest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/hack/camsim/sim"
	"github.com/xiuhua/xiuhua/internal/testdata"
)

// The synthetic test camera: small, so that many run at once on a 2-core
// machine under -race, at a camera's 25 fps with an IDR every second.
const (
	patW, patH = 320, 240
	patFPS     = 25
)

// simStream is one path of a test camsim.
type simStream struct {
	name   string
	codec  string // sim.CodecH264 or sim.CodecH265
	faults sim.Faults
}

// patternFile returns the test pattern transcoded to codec, made once and
// cached.
func patternFile(t testing.TB, codec string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	src, err := sim.MakePattern(ctx, testdata.CacheDir(), sim.Pattern{Width: patW, Height: patH, FPS: patFPS, Seconds: 4})
	require.NoError(t, err)
	ts, err := sim.TranscodeWith(ctx, src, testdata.CacheDir(), sim.TranscodeOptions{Codec: codec})
	require.NoError(t, err)
	return ts
}

// startPatternSim serves the test pattern on several paths of one camsim
// over loopback TCP.
func startPatternSim(t *testing.T, streams ...simStream) *sim.Server {
	t.Helper()
	var list []sim.Stream
	for _, st := range streams {
		codec := st.codec
		if codec == "" {
			codec = sim.CodecH264
		}
		list = append(list, sim.Stream{Name: st.name, File: patternFile(t, codec), Faults: st.faults})
	}
	srv := &sim.Server{Listen: "127.0.0.1:0", Logger: discardLogger()}
	require.NoError(t, srv.Start(list))
	t.Cleanup(srv.Close)
	return srv
}

// takeFrame waits for the next frame of src, failing after bound.
func takeFrame(t *testing.T, src Source, bound time.Duration) Frame {
	t.Helper()
	select {
	case f, ok := <-src.Frames():
		require.True(t, ok, "Frames closed; status %+v", src.Status())
		return f
	case <-time.After(bound):
		t.Fatalf("no frame within %v; status %+v", bound, src.Status())
	}
	return Frame{}
}

// drain reads and closes frames of src until it is closed, so a test can
// watch counters without the hand-off dropping everything.
func drain(src Source) {
	for f := range src.Frames() {
		f.Close()
	}
}
