package warn

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/edge/config"
	"github.com/xiuhua/xiuhua/hack/camsim/sim"
	"github.com/xiuhua/xiuhua/internal/conf"
)

func TestForCameraBuildsTheConfiguredPlayer(t *testing.T) {
	m := NewMetrics(nil)
	http := ForCamera(config.Camera{ID: "cam2", URL: "rtsp://a/s", Speaker: &config.Speaker{
		Kind: "http", URL: "http://10.0.0.7/play", Headers: map[string]string{"authorization": "Bearer x"},
		Timeout: conf.Duration(3 * time.Second), Attempts: 4,
	}}, m, nil)
	sp, ok := http.(*HTTPSpeaker)
	require.True(t, ok, "%T", http)
	require.Equal(t, "http://10.0.0.7/play", sp.URL)
	require.Equal(t, "Bearer x", sp.Header.Get("Authorization"))
	require.Equal(t, 3*time.Second, sp.Timeout)
	require.Equal(t, 4, sp.Attempts)

	bc, ok := ForCamera(config.Camera{ID: "cam1", URL: "rtsp://a/s"}, m, nil).(*BackChannel)
	require.True(t, ok)
	require.Equal(t, "rtsp://a/s", bc.URL)
}

func TestBackChannelUsesCameraCredentials(t *testing.T) {
	srv2 := &sim.Server{Listen: "127.0.0.1:0", User: "admin", Pass: "s3cret", Logger: slog.New(slog.DiscardHandler)}
	require.NoError(t, srv2.Start([]sim.Stream{{Name: "cam1", File: transcoded(t)}}))
	t.Cleanup(srv2.Close)

	p := ForCamera(config.Camera{ID: "cam1", URL: srv2.URL("cam1"), Username: "admin", Password: "s3cret"}, nil, slog.New(slog.DiscardHandler))
	require.NoError(t, p.Play(context.Background(), Warning{Camera: "cam1", Audio: make([]int16, 1600)}))
	require.Eventually(t, func() bool { return len(srv2.Recordings("cam1")) == 1 }, time.Minute, 20*time.Millisecond)

	wrong := ForCamera(config.Camera{ID: "cam1", URL: srv2.URL("cam1"), Username: "admin", Password: "nope"}, nil, slog.New(slog.DiscardHandler))
	err := wrong.Play(context.Background(), Warning{Camera: "cam1", Audio: make([]int16, 1600)})
	require.Error(t, err)
	require.False(t, strings.Contains(err.Error(), "nope"), "a password leaked: %v", err)
}
