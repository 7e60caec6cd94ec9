// Command edge is the roadside node: it watches RTSP cameras, runs the
// detector, applies the zone rules and reports violations with evidence to
// the central server. It also runs a model offline on an image or a video.
//
//	edge -config edge.yaml              run the node (also: edge run -config edge.yaml)
//	edge detect --model models/yolox-nano.yaml --image x.jpg [--json] [--out annotated.jpg]
//	edge detect --model models/yolox-nano.yaml --video file.mp4 [--json]
//	edge outbox list|requeue -config edge.yaml [-all | EVENT_ID...]
//
// Exit status: 0 after a clean shutdown (SIGINT/SIGTERM) or a finished
// detect, 1 on a runtime failure, 2 on a configuration or usage error.
package main

import (
	"fmt"
	"io"
	"os"
	"strings"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches on the first argument: a subcommand name, or a flag of the
// node, which keeps "edge -config x" working as before subcommands existed.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		switch args[0] {
		case "run":
			return runNode(args[1:], stderr)
		case "detect":
			return runDetect(args[1:], stdout, stderr)
		case "outbox":
			return runOutbox(args[1:], stdout, stderr)
		case "help":
			usage(stdout)
			return 0
		default:
			fmt.Fprintf(stderr, "edge: unknown command %q\n", args[0])
			usage(stderr)
			return 2
		}
	}
	return runNode(args, stderr)
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage:
  edge [run] -config edge.yaml [-server host:port] [-data-dir dir]
  edge detect --model manifest.yaml (--image x.jpg | --video file.mp4) [--json] [--out annotated.jpg]
  edge outbox list|requeue [-config edge.yaml] [-all | EVENT_ID...]   (with the node stopped)
run "edge detect -h" or "edge run -h" for every flag
`)
}
