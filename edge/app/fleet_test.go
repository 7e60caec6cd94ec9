package app

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/edge/config"
	"github.com/xiuhua/xiuhua/edge/ingest"
	"github.com/xiuhua/xiuhua/edge/pipeline"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// TestFleetWiring: cameras are registered with the scheduler at their
// detect rate, get their share of the box-wide ring cap, and their state
// shows in /healthz, the heartbeat and the metrics.
func TestFleetWiring(t *testing.T) {
	cfg := config.Default()
	cfg.Fleet.RingBufferTotalBytes = 8 << 20
	for _, id := range []string{"a", "b"} {
		cfg.Cameras = append(cfg.Cameras, config.Camera{ID: id, URL: "rtsp://127.0.0.1:1/" + id, DetectFPS: 0.5, DecodeMode: "auto"})
	}
	fl := newFleet(cfg, slog.New(slog.DiscardHandler))
	var cams []*ingest.Camera
	for i, c := range cfg.Cameras {
		ic := fl.ingestConfig(cfg, i)
		require.Equal(t, 4<<20, ic.RingMaxBytes)
		require.False(t, ic.FullDecodeOK(), "no full decoding before the box has measured itself")
		cam := ingest.NewCamera(ic, slog.New(slog.DiscardHandler), nil)
		chain := &pipeline.Camera{}
		fl.register(c, cam, chain)
		require.NotNil(t, chain.Turns)
		cams = append(cams, cam)
	}
	var b strings.Builder
	fl.healthz(&b, cams, []string{"a", "b"})
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	require.Equal(t, "overloaded false", lines[0])
	require.Len(t, lines, 3)
	require.True(t, strings.HasPrefix(lines[1], "a connecting looks=0.00/0.50 keyframes_only=false problem=\"\""), lines[1])

	hb := fl.heartbeat(&xiuhuav1.Heartbeat{Cameras: []*xiuhuav1.CameraStatus{{CameraId: "a"}, {CameraId: "b"}}}, cams)
	require.False(t, hb.Overloaded)
	require.Equal(t, 0.5, hb.Cameras[1].TargetLookRate)

	reg := prometheus.NewRegistry()
	reg.MustRegister(fl.collector())
	mfs, err := reg.Gather()
	require.NoError(t, err)
	names := map[string]int{}
	for _, mf := range mfs {
		names[mf.GetName()] = len(mf.GetMetric())
	}
	require.Equal(t, 1, names["xiuhua_edge_overloaded"])
	require.Equal(t, 1, names["xiuhua_edge_look_background_ratio"])
	require.Equal(t, 2, names["xiuhua_edge_decoder_reopens_total"], "from=parked and from=new")
	require.Equal(t, 2, names["xiuhua_edge_camera_look_rate"])
}
