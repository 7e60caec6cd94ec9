// Command bench runs the project's measurements and prints their numbers.
// Each subcommand lives in its own file; none of them asserts timings.
//
//	go run ./hack/bench ingest       RTSP ingest: CPU per camera-second, full vs keyframe-only decode
//	go run ./hack/bench ingest-load  server: reports/s and ack latency under many simulated edges
//	go run ./hack/bench regions      edge: CPU per look at 1080p, whole frame vs zone regions
//	go run ./hack/bench scenes       hard staged scenes: recall and precision per scene and mode
//	go run ./hack/bench cases        server: queue, case, map and statistics on a city's year of cases (PostgreSQL)
//	go run ./hack/bench edge         the whole edge from a cold start with K 1080p cameras: CPU, RSS, looks, steady state
package main

import (
	"fmt"
	"os"
	"sort"
)

// commands maps a subcommand to its entry point, which gets the remaining
// arguments and returns the exit status.
var commands = map[string]func(args []string) int{
	"ingest":      runIngest,
	"ingest-load": runIngestLoad,
	"regions":     runRegions,
	"scenes":      runScenes,
	"cases":       runCases,
	"edge":        runEdgeBench,
}

func main() {
	if len(os.Args) < 2 || commands[os.Args[1]] == nil {
		names := make([]string, 0, len(commands))
		for n := range commands {
			names = append(names, n)
		}
		sort.Strings(names)
		fmt.Fprintf(os.Stderr, "usage: bench COMMAND [flags]\ncommands: %v\n", names)
		os.Exit(2)
	}
	os.Exit(commands[os.Args[1]](os.Args[2:]))
}
