package main

import (
	"fmt"
	"os"
)

// runIngestLoad is replaced by the server load benchmark (issue 6).
func runIngestLoad(args []string) int {
	fmt.Fprintln(os.Stderr, "bench ingest-load: not implemented yet")
	return 1
}
