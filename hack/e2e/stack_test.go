package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// startServer sets a server up as an operator would and starts it: its
// configuration written (listen addresses and data folder, then extra
// YAML), each device registered for its cameras with its token in a file
// the edge reads, an admin API token made for the API helpers. It returns
// once /healthz answers, with the process, the base URL and each device's
// token file.
func startServer(t *testing.T, dir, httpAddr, grpcAddr, extra string, env []string, devices map[string][]string) (*proc, string, map[string]string) {
	t.Helper()
	return startServerYAML(t, dir, "http://"+httpAddr, fmt.Sprintf("http: {listen: %q}\ngrpc: {listen: %q}\n%s", httpAddr, grpcAddr, extra), env, devices)
}

// startServerYAML is startServer with the whole configuration but data_dir
// given, served at base (http:// or https:// and the http.listen address).
func startServerYAML(t *testing.T, dir, base, yaml string, env []string, devices map[string][]string) (*proc, string, map[string]string) {
	t.Helper()
	httpAddr := strings.TrimPrefix(strings.TrimPrefix(base, "http://"), "https://")
	cfg := filepath.Join(dir, "server.yaml")
	writeFile(t, cfg, fmt.Sprintf("data_dir: %q\n%s", filepath.Join(dir, "server"), yaml))
	tokenFiles := map[string]string{}
	for dev, cams := range devices {
		args := []string{"device", "add", "-config", cfg}
		for _, c := range cams {
			args = append(args, "-camera", c)
		}
		tokenFiles[dev] = filepath.Join(dir, dev+".token")
		writeFile(t, tokenFiles[dev], command(t, dir, nil, append(args, dev)...)+"\n")
	}
	apiTokens.Store(httpAddr, command(t, dir, nil, "token", "add", "-config", cfg, "-role", "admin", "e2e"))
	server := startEnv(t, dir, env, "server", "-config", cfg)
	waitHTTP(t, server, base+"/healthz")
	return server, base, tokenFiles
}

// waitForCases polls the case list until the pipeline has filed one,
// failing if the edge exits first or nothing comes within 120 s: vtest.avi
// has people crossing the plaza all the time, so with a 4 s dwell the first
// case is typically filed within 15 s of the edge connecting, and 120 s
// leaves room for a slow CI machine.
func waitForCases(t *testing.T, base string, edge *proc) []apiCase {
	t.Helper()
	var cases []apiCase
	deadline := time.Now().Add(120 * time.Second)
	for len(cases) == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Second)
		select {
		case <-edge.done:
			t.Fatalf("edge exited: %v", edge.err)
		default:
		}
		cases = allCases(t, base)
	}
	require.NotEmpty(t, cases, "no case from the pipeline within 120 s")
	return cases
}
