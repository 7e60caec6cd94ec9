package main

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/xiuhua/xiuhua/edge/outbox"
)

// runOutbox lists the violations the server refused for good, or puts them
// back in the queue once the cause is fixed (a camera missing from the
// device registry, say). The node must be stopped: it holds the outbox.
func runOutbox(args []string, stdout, stderr io.Writer) int {
	usage := func() int {
		fmt.Fprintln(stderr, "usage: edge outbox list [-config edge.yaml] [-data-dir dir] | edge outbox requeue [-config edge.yaml] [-data-dir dir] (-all | EVENT_ID...)")
		return 2
	}
	if len(args) == 0 || (args[0] != "list" && args[0] != "requeue") {
		return usage()
	}
	verb := args[0]
	fs := flag.NewFlagSet("edge outbox "+verb, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfgPath := fs.String("config", "edge.yaml", "configuration file (YAML)")
	dataDir := fs.String("data-dir", "", "override device.data_dir")
	all := fs.Bool("all", false, "requeue every refused violation")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	ids := fs.Args()
	if verb == "list" && (len(ids) > 0 || *all) {
		return usage()
	}
	if verb == "requeue" && (len(ids) > 0) == *all {
		return usage()
	}
	cfg, err := loadConfig(*cfgPath, "", *dataDir)
	if err != nil {
		fmt.Fprintf(stderr, "edge: configuration error:\n%v\n", err)
		return 2
	}
	ob, err := outbox.Open(filepath.Join(cfg.Device.DataDir, "outbox"), nil, nil)
	if err != nil {
		fmt.Fprintf(stderr, "edge: %v (stop the edge node first)\n", err)
		return 1
	}
	defer ob.Close()
	dead, err := ob.Dead()
	if err != nil {
		fmt.Fprintf(stderr, "edge: %v\n", err)
		return 1
	}
	if verb == "list" {
		for _, d := range dead {
			fmt.Fprintf(stdout, "%s\t%s\n", d.ID, d.Reason)
		}
		fmt.Fprintf(stderr, "%d refused violations\n", len(dead))
		return 0
	}
	if *all {
		for _, d := range dead {
			ids = append(ids, d.ID)
		}
	}
	failed := 0
	for _, id := range ids {
		if err := ob.Requeue(id); err != nil {
			fmt.Fprintf(stderr, "edge: %v\n", err)
			failed++
			continue
		}
		fmt.Fprintf(stdout, "%s\trequeued\n", id)
	}
	if failed > 0 {
		return 1
	}
	return 0
}
