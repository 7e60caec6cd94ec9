package ingest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bluenviron/gortsplib/v4"
	"github.com/bluenviron/gortsplib/v4/pkg/base"
	"github.com/bluenviron/gortsplib/v4/pkg/description"
	"github.com/bluenviron/gortsplib/v4/pkg/format"
	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/hack/camsim/sim"
	"github.com/xiuhua/xiuhua/internal/testdata"
)

// startCamsim serves vtest.avi (768x576, 10 fps) as rtsp://.../cam1 on a
// free loopback port, with UDP when udp is set and credentials when user is
// not empty.
func startCamsim(t *testing.T, udp bool, user, pass string) *sim.Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	ts, err := sim.Transcode(ctx, testdata.Path(t, "media", "vtest.avi"), testdata.CacheDir())
	require.NoError(t, err)
	srv := &sim.Server{Listen: "127.0.0.1:0", User: user, Pass: pass, Logger: discardLogger()}
	if udp {
		srv.UDPRTPAddress, srv.UDPRTCPAddress = freeUDPPair(t)
	}
	require.NoError(t, srv.Start([]sim.Stream{{Name: "cam1", File: ts}}))
	t.Cleanup(srv.Close)
	return srv
}

// freeUDPPair finds an even UDP port whose successor is free too.
func freeUDPPair(t *testing.T) (rtp, rtcp string) {
	t.Helper()
	for range 100 {
		a, err := net.ListenPacket("udp", "127.0.0.1:0")
		require.NoError(t, err)
		port := a.LocalAddr().(*net.UDPAddr).Port
		if port%2 != 0 || port > 65000 {
			a.Close()
			continue
		}
		b, err := net.ListenPacket("udp", fmt.Sprintf("127.0.0.1:%d", port+1))
		a.Close()
		if err != nil {
			continue
		}
		b.Close()
		return fmt.Sprintf("127.0.0.1:%d", port), fmt.Sprintf("127.0.0.1:%d", port+1)
	}
	t.Fatal("no free UDP port pair")
	return "", ""
}

// startSilentServer serves one track of forma that never carries a packet:
// a camera that accepts PLAY and then sends nothing.
func startSilentServer(t *testing.T, forma format.Format) string {
	t.Helper()
	h := &silentHandler{}
	var addr net.Addr
	srv := &gortsplib.Server{
		Handler:     h,
		RTSPAddress: "127.0.0.1:0",
		Listen: func(network, address string) (net.Listener, error) {
			l, err := net.Listen(network, address)
			if err == nil {
				addr = l.Addr()
			}
			return l, err
		},
	}
	require.NoError(t, srv.Start())
	st := &gortsplib.ServerStream{Server: srv, Desc: &description.Session{Medias: []*description.Media{{
		Type: description.MediaTypeVideo, Formats: []format.Format{forma},
	}}}}
	require.NoError(t, st.Initialize())
	h.mu.Lock()
	h.stream = st
	h.mu.Unlock()
	t.Cleanup(func() {
		srv.Close()
		st.Close()
	})
	return "rtsp://" + addr.String() + "/silent"
}

type silentHandler struct {
	mu     sync.Mutex
	stream *gortsplib.ServerStream
}

func (h *silentHandler) OnDescribe(*gortsplib.ServerHandlerOnDescribeCtx) (*base.Response, *gortsplib.ServerStream, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return &base.Response{StatusCode: base.StatusOK}, h.stream, nil
}

func (h *silentHandler) OnSetup(*gortsplib.ServerHandlerOnSetupCtx) (*base.Response, *gortsplib.ServerStream, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return &base.Response{StatusCode: base.StatusOK}, h.stream, nil
}

func (h *silentHandler) OnPlay(*gortsplib.ServerHandlerOnPlayCtx) (*base.Response, error) {
	return &base.Response{StatusCode: base.StatusOK}, nil
}

// startMuteTCP accepts connections and never answers: DESCRIBE hangs.
func startMuteTCP(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		<-done
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	return "rtsp://" + l.Addr().String() + "/cam"
}

// closedPort is an address where nothing listens: connections are refused.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	l.Close()
	return addr
}

// running starts cam.Run and returns a stop function that cancels it and
// fails the test unless Run returns within a generous bound.
func running(t *testing.T, cam *Camera) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		cam.Run(ctx)
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("Run did not return within 10s of cancel")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// eventually polls cond until it holds or the bound passes.
func eventually(t *testing.T, bound time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(bound)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %v: %s", bound, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// logBuffer is a concurrency-safe log sink for asserting on log output.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
