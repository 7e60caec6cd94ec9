package main

import (
	"fmt"
	"os"
)

// runIngest is replaced by the ingest benchmark (issue 3).
func runIngest(args []string) int {
	fmt.Fprintln(os.Stderr, "bench ingest: not implemented yet")
	return 1
}
