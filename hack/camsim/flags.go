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
	streams  streamFlags
}

// streamFlags collects repeated -stream NAME=FILE flags.
type streamFlags []sim.Stream

func (s *streamFlags) String() string {
	parts := make([]string, len(*s))
	for i, st := range *s {
		parts[i] = st.Name + "=" + st.File
	}
	return strings.Join(parts, ",")
}

func (s *streamFlags) Set(v string) error {
	name, file, ok := strings.Cut(v, "=")
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
	*s = append(*s, sim.Stream{Name: name, File: file})
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
			"usage: camsim [flags] -stream NAME=FILE [-stream NAME=FILE ...]\n\n"+
			"example: camsim -stream cam1=../shared/testdata/media/vtest.avi\n"+
			"         then play rtsp://127.0.0.1:8554/cam1\n\nflags:\n")
		fs.PrintDefaults()
	}
	fs.StringVar(&o.listen, "listen", "127.0.0.1:8554", "RTSP (TCP) listen address")
	fs.IntVar(&o.udpPort, "udp-port", 0, "even UDP port for RTP (RTCP uses the next); 0 serves TCP only")
	fs.StringVar(&o.user, "user", "", "require this user name (Basic or Digest auth)")
	fs.StringVar(&o.pass, "pass", "", "password for -user")
	fs.StringVar(&o.cacheDir, "cache", testdata.CacheDir(), "cache folder; transcodes go to its media/ folder")
	fs.BoolVar(&o.verbose, "v", false, "debug logging")
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
