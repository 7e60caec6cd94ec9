// Command camsim serves video files as RTSP cameras for development and
// tests. Each file is transcoded once to H.264 or H.265 (cached per codec and
// size), then looped in real time with continuous timestamps, optionally
// with faults (dropped connections, stalls, corrupt slices, a lying SPS).
// Each stream also has a speaker, an ONVIF audio back channel, that keeps
// what clients play (-backchannel-dir, -http):
//
//	camsim -stream cam1=../shared/testdata/media/vtest.avi
//	ffplay rtsp://127.0.0.1:8554/cam1
//
// SIGINT or SIGTERM stops it cleanly.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/xiuhua/xiuhua/hack/camsim/sim"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stderr)
	stop()
	os.Exit(code)
}

// run is main without the process: it serves until ctx is done and returns
// the exit status (2 for bad flags, 1 for failures).
func run(ctx context.Context, args []string, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		return 2
	}
	level := slog.LevelInfo
	if o.verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})).With("component", "camsim")

	if err := serve(ctx, o, log); err != nil {
		log.Error("camsim failed", "err", err)
		return 1
	}
	return 0
}

// serve transcodes every input (once, cached), then serves them until ctx
// is done or a stream fails.
func serve(ctx context.Context, o *options, log *slog.Logger) error {
	streams := make([]sim.Stream, 0, len(o.streams))
	for _, st := range o.streams {
		log.Info("preparing", "stream", st.Name, "file", st.File, "codec", st.Opts.Codec, "height", st.Opts.Height)
		ts, err := sim.TranscodeWith(ctx, st.File, o.cacheDir, st.Opts)
		if ctx.Err() != nil {
			return nil // interrupted while transcoding: a clean stop
		}
		if err != nil {
			return fmt.Errorf("stream %q: %w", st.Name, err)
		}
		streams = append(streams, sim.Stream{Name: st.Name, File: ts, Faults: st.Faults})
	}

	rtp, rtcp := o.udpAddresses()
	srv := &sim.Server{
		Listen:         o.listen,
		UDPRTPAddress:  rtp,
		UDPRTCPAddress: rtcp,
		User:           o.user,
		Pass:           o.pass,
		BackChannelDir: o.backDir,
		Logger:         log,
	}
	if err := srv.Start(streams); err != nil {
		return err
	}
	defer srv.Close()
	for _, st := range streams {
		log.Info("serving " + srv.URL(st.Name))
	}
	if o.httpAddr != "" {
		stop, err := serveRecordings(o.httpAddr, srv, log)
		if err != nil {
			return err
		}
		defer stop()
	}

	select {
	case <-ctx.Done():
		log.Info("shutting down")
		return nil
	case err := <-srv.Err():
		return err
	}
}

// serveRecordings answers /backchannel on addr until stop is called.
func serveRecordings(addr string, srv *sim.Server, log *slog.Logger) (stop func(), err error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen for -http on %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("/backchannel", srv.RecordingsHandler())
	hs := &http.Server{Handler: mux}
	go func() { _ = hs.Serve(l) }() // ends with ErrServerClosed at stop
	log.Info("back-channel recordings at http://" + l.Addr().String() + "/backchannel?stream=NAME")
	return func() { hs.Close() }, nil
}
