package sim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"

	"github.com/bluenviron/gortsplib/v4"
)

var errNotFound = errors.New("no such stream")

// Stream names a file to serve: rtsp://host:port/Name plays File, an H.264
// or H.265 MPEG-TS file (see TranscodeWith), misbehaving as Faults say.
type Stream struct {
	Name   string
	File   string
	Faults Faults
}

// Server serves files as RTSP cameras. Fill the fields, then Start; Close
// stops the streams and the server.
type Server struct {
	// Listen is the RTSP (TCP) address; port 0 picks a free port, see Addr.
	Listen string
	// UDPRTPAddress and UDPRTCPAddress enable the UDP transport; the RTP
	// port must be even and the RTCP port the next one. Empty: TCP only.
	UDPRTPAddress, UDPRTCPAddress string
	// User and Pass, when User is set, are required of every client
	// (Basic or Digest, as the client chooses).
	User, Pass string
	// BackChannelDir, when set, receives a WAV file (8 kHz mono) of every
	// session's back-channel audio: STREAM-N.wav. Recordings works either way.
	BackChannelDir string
	// Logger defaults to slog.Default().
	Logger *slog.Logger

	rtsp   *gortsplib.Server
	addr   net.Addr
	cancel context.CancelFunc

	mu      sync.RWMutex // guards streams, read by gortsplib's goroutines
	streams map[string]*fileStream

	speakers *speakers

	wg   sync.WaitGroup
	errc chan error
}

// Start listens and starts streaming every stream, whether or not anyone
// watches, as a camera would.
func (s *Server) Start(streams []Stream) error {
	if s.Logger == nil {
		s.Logger = slog.Default()
	}
	if len(streams) == 0 {
		return errors.New("no streams to serve")
	}
	s.speakers = newSpeakers(s.BackChannelDir, s.Logger)
	s.rtsp = &gortsplib.Server{
		Handler:        &handler{s: s},
		RTSPAddress:    s.Listen,
		UDPRTPAddress:  s.UDPRTPAddress,
		UDPRTCPAddress: s.UDPRTCPAddress,
		// Wrap Listen to learn the real address when the port is 0.
		Listen: func(network, address string) (net.Listener, error) {
			l, err := net.Listen(network, address)
			if err == nil {
				s.addr = l.Addr()
			}
			return l, err
		},
	}
	if err := s.rtsp.Start(); err != nil {
		return fmt.Errorf("start RTSP server on %s: %w", s.Listen, err)
	}
	// Streams need a started server; the handler answers 404 until the map
	// is complete, which it is before Start returns.
	built := make(map[string]*fileStream, len(streams))
	for _, st := range streams {
		if _, dup := built[st.Name]; dup {
			s.closeStreams(built)
			s.rtsp.Close()
			return fmt.Errorf("stream %q given twice", st.Name)
		}
		fs, err := newFileStream(s.rtsp, st, s.Logger)
		if err != nil {
			s.closeStreams(built)
			s.rtsp.Close()
			return err
		}
		built[st.Name] = fs
	}
	s.mu.Lock()
	s.streams = built
	s.mu.Unlock()

	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.errc = make(chan error, len(built)+1)
	for _, fs := range built {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			if err := fs.run(ctx); err != nil {
				s.errc <- err
			}
		}()
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := s.rtsp.Wait(); err != nil && ctx.Err() == nil {
			s.errc <- fmt.Errorf("RTSP server: %w", err)
		}
	}()
	return nil
}

// Addr is the address the server listens on, e.g. 127.0.0.1:8554.
func (s *Server) Addr() string { return s.addr.String() }

// URL is the address of a stream, without credentials.
func (s *Server) URL(name string) string { return "rtsp://" + s.Addr() + "/" + name }

// Recordings lists what clients played into a stream's back channel, one
// entry a finished session (it ends when the client tears down or
// disconnects), oldest first.
func (s *Server) Recordings(name string) []Recording { return s.speakers.recordings(name) }

// Err delivers the first fatal error of a stream or of the server.
func (s *Server) Err() <-chan error { return s.errc }

// Close stops streaming, disconnects every client and waits for all
// goroutines. Streams stop first so none writes to a closed server. Call it
// only after a successful Start.
func (s *Server) Close() {
	s.cancel()
	s.rtsp.Close()
	s.wg.Wait()
	s.closeStreams(s.streams)
}

func (s *Server) closeStreams(m map[string]*fileStream) {
	for _, fs := range m {
		fs.close()
	}
}

// lookup finds the stream of a request path ("/cam1" or "cam1").
func (s *Server) lookup(path string) (*fileStream, error) {
	s.mu.RLock()
	fs, ok := s.streams[strings.Trim(path, "/")]
	s.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("%w: %q", errNotFound, path)
	}
	return fs, nil
}
