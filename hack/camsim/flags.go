package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/xiuhua/xiuhua/hack/camsim/sim"
	"github.com/xiuhua/xiuhua/internal/testdata"
)

// options are the parsed command line.
type options struct {
	listen   string
	udpPort  int
	user     string
	pass     string
	cacheDir string
	verbose  bool
	backDir  string
	httpAddr string
	codec    string
	height   int
	streams  streamFlags
}

// streamSpec is one -stream flag: what to serve and how.
type streamSpec struct {
	Name   string
	File   string
	Opts   sim.TranscodeOptions
	Faults sim.Faults
}

// streamFlags collects repeated -stream NAME=FILE[:OPT,OPT...] flags.
type streamFlags []streamSpec

func (s *streamFlags) String() string {
	parts := make([]string, len(*s))
	for i, st := range *s {
		parts[i] = st.Name + "=" + st.File
	}
	return strings.Join(parts, ",")
}

// splitOptions separates FILE from a trailing :OPT,OPT list. A colon that
// is followed by something that does not parse as options stays part of
// the file name.
func splitOptions(v string) (file string, o sim.TranscodeOptions, f sim.Faults, err error) {
	i := strings.LastIndex(v, ":")
	if i <= 0 {
		return v, o, f, nil
	}
	if _, statErr := os.Stat(v); statErr == nil {
		return v, o, f, nil // a file whose name has a colon
	}
	for _, opt := range strings.Split(v[i+1:], ",") {
		if err := sim.ParseOption(opt, &o, &f); err != nil {
			return "", o, f, err
		}
	}
	if err := o.Validate(); err != nil {
		return "", o, f, err
	}
	return v[:i], o, f, f.Validate()
}

func (s *streamFlags) Set(v string) error {
	name, rest, ok := strings.Cut(v, "=")
	file, opts, faults, err := splitOptions(rest)
	if err != nil {
		return err
	}
	switch {
	case !ok || name == "" || file == "":
		return errors.New("want NAME=FILE")
	case strings.ContainsAny(name, "/?# "):
		return fmt.Errorf("name %q: use letters, digits, - and _", name)
	}
	for _, st := range *s {
		if st.Name == name {
			return fmt.Errorf("name %q given twice", name)
		}
	}
	if st, err := os.Stat(file); err != nil {
		return err
	} else if !st.Mode().IsRegular() {
		return fmt.Errorf("%s is not a file", file)
	}
	*s = append(*s, streamSpec{Name: name, File: file, Opts: opts, Faults: faults})
	return nil
}

// parseFlags parses args; the error is already printed with usage to
// stderr, and means exit status 2.
func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("camsim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "camsim serves video files as RTSP cameras, looping in real time.\n\n"+
			"usage: camsim [flags] -stream NAME=FILE[:OPT,...] [-stream ...]\n\n"+
			"example: camsim -stream cam1=../shared/testdata/media/vtest.avi\n"+
			"         then play rtsp://127.0.0.1:8554/cam1\n\n"+
			"stream options (after the file, comma-separated):\n"+
			"  h264, h265       codec (default: -codec)\n"+
			"  height=N fps=N   scale to N lines / change the frame rate (cached separately)\n"+
			"  keyframe=D       time between IDR pictures (default 1s)\n"+
			"  drop=D           close every client's connection every D\n"+
			"  stall=D[/P]      send nothing for D out of every P (default D+3s)\n"+
			"  corrupt=N        damage the slices of one access unit in N\n"+
			"  badsps           lying SPS in the SDP and before every other keyframe\n"+
			"  nospeaker        no ONVIF audio back channel (a camera without a speaker)\n"+
			"example: -stream cam2=a.mp4:h265,height=1080,drop=10s\n\nflags:\n")
		fs.PrintDefaults()
	}
	fs.StringVar(&o.listen, "listen", "127.0.0.1:8554", "RTSP (TCP) listen address")
	fs.IntVar(&o.udpPort, "udp-port", 0, "even UDP port for RTP (RTCP uses the next); 0 serves TCP only")
	fs.StringVar(&o.user, "user", "", "require this user name (Basic or Digest auth)")
	fs.StringVar(&o.pass, "pass", "", "password for -user")
	fs.StringVar(&o.cacheDir, "cache", testdata.CacheDir(), "cache folder; transcodes go to its media/ folder")
	fs.BoolVar(&o.verbose, "v", false, "debug logging")
	fs.StringVar(&o.backDir, "backchannel-dir", "", "keep what clients play into a stream's back channel as STREAM-N.wav here")
	fs.StringVar(&o.httpAddr, "http", "", "serve back-channel recordings as JSON at http://ADDR/backchannel?stream=NAME")
	fs.StringVar(&o.codec, "codec", sim.CodecH264, "codec of streams that name none: h264 or h265")
	fs.IntVar(&o.height, "height", 0, "scale streams that name no height= to this many lines (e.g. 1080); 0 keeps the source size")
	fs.Var(&o.streams, "stream", "NAME=FILE to serve at rtsp://LISTEN/NAME (repeat for more cameras)")

	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	fail := func(format string, a ...any) (*options, error) {
		err := fmt.Errorf(format, a...)
		fmt.Fprintf(stderr, "camsim: %v\n", err)
		fs.Usage()
		return nil, err
	}
	switch {
	case fs.NArg() > 0:
		return fail("unexpected argument %q", fs.Arg(0))
	case len(o.streams) == 0:
		return fail("no -stream given")
	case o.udpPort < 0 || o.udpPort > 65534 || o.udpPort%2 != 0:
		return fail("-udp-port %d: want an even port below 65535, or 0", o.udpPort)
	case o.pass != "" && o.user == "":
		return fail("-pass needs -user")
	case o.codec != sim.CodecH264 && o.codec != sim.CodecH265:
		return fail("-codec %q: want h264 or h265", o.codec)
	case o.height < 0 || o.height > 4320 || o.height%2 != 0:
		return fail("-height %d: want an even number up to 4320, or 0", o.height)
	}
	for i := range o.streams {
		st := &o.streams[i]
		if st.Opts.Codec == "" {
			st.Opts.Codec = o.codec
		}
		if st.Opts.Height == 0 {
			st.Opts.Height = o.height
		}
	}
	if _, _, err := net.SplitHostPort(o.listen); err != nil {
		return fail("-listen %q: %v", o.listen, err)
	}
	return o, nil
}

// udpAddresses derives the RTP and RTCP addresses from the listen host.
func (o *options) udpAddresses() (rtp, rtcp string) {
	if o.udpPort == 0 {
		return "", ""
	}
	host, _, _ := net.SplitHostPort(o.listen)
	return net.JoinHostPort(host, strconv.Itoa(o.udpPort)), net.JoinHostPort(host, strconv.Itoa(o.udpPort+1))
}
