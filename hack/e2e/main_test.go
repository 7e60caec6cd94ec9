// Package e2e holds the end-to-end tests: the real binaries (camsim, edge,
// server) talking over real RTSP and gRPC on loopback, with the real model.
package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/xiuhua/xiuhua/internal/testdata"
)

// binDir holds the binaries built once for all tests of this package.
var binDir string

func TestMain(m *testing.M) {
	if os.Getenv(miniEdgeEnv) != "" {
		// The fault tests run the edge's delivery half as a process of
		// this binary, to kill it.
		os.Exit(runMiniEdge())
	}
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	root, err := testdata.RepoRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	binDir, err = os.MkdirTemp("", "xiuhua-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(binDir)
	cmd := exec.Command("go", "build", "-o", binDir+string(filepath.Separator), "./edge/cmd/edge", "./server/cmd/server", "./hack/camsim")
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: building the binaries failed:", err)
		return 1
	}
	return m.Run()
}

func bin(name string) string { return filepath.Join(binDir, name) }
