// Package browsertest runs the headless-Chromium specs of hack/browser from
// Go tests, so that `go test` drives the browser tests: a Go test starts a
// server, then Run runs `node hack/browser/<spec>.mjs` against it. It lives
// in internal/ because production packages' tests (server/web) use it, and
// those may not depend on hack/.
//
// The specs use Debian's chromium (/usr/bin/chromium) through playwright-core,
// installed by hack/setup.sh (apt: chromium fonts-noto-cjk; npm ci in hack/browser).
package browsertest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Chromium is the browser the specs launch.
const Chromium = "/usr/bin/chromium"

// Dir is hack/browser, found from the working directory upwards (Go tests
// run in their package's folder).
func Dir(t testing.TB) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatalf("browser tests: working directory: %v", err)
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(d, "hack", "browser")
		}
		if filepath.Dir(d) == d {
			t.Fatalf("browser tests: no go.mod above %s", wd)
		}
	}
}

// Artefacts is where a spec writes its screenshots: $XIUHUA_ARTEFACTS/<spec>
// or hack/browser/artefacts/<spec>.
func Artefacts(t testing.TB, spec string) string {
	t.Helper()
	base := os.Getenv("XIUHUA_ARTEFACTS")
	if base == "" {
		base = filepath.Join(Dir(t), "artefacts")
	}
	dir := filepath.Join(base, spec)
	// Screenshots of an earlier run would pass for this one's.
	old, _ := filepath.Glob(filepath.Join(dir, "*.png"))
	for _, f := range old {
		_ = os.Remove(f)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("browser tests: artefacts folder: %v", err)
	}
	return dir
}

// Check fails t, naming what is missing, when node, chromium or
// playwright-core is not installed.
func Check(t testing.TB) {
	t.Helper()
	var missing []string
	if _, err := exec.LookPath("node"); err != nil {
		missing = append(missing, "node (apt-get install nodejs npm)")
	}
	if _, err := os.Stat(Chromium); err != nil {
		missing = append(missing, Chromium+" (apt-get install chromium fonts-noto-cjk)")
	}
	if _, err := os.Stat(filepath.Join(Dir(t), "node_modules", "playwright-core", "package.json")); err != nil {
		missing = append(missing, "hack/browser/node_modules/playwright-core (cd hack/browser && npm ci)")
	}
	if len(missing) > 0 {
		t.Fatalf("browser tests need %s; hack/setup.sh installs them", strings.Join(missing, ", "))
	}
}

// Run runs spec (a file name without .mjs) with env added to this
// process's environment, and fails t if it exits non-zero. XIUHUA_ARTEFACTS
// is set to the spec's artefacts folder. The spec's output is logged.
func Run(t testing.TB, spec string, timeout time.Duration, env map[string]string) {
	t.Helper()
	Check(t)
	dir := Dir(t)
	cmd := exec.Command("node", filepath.Join(dir, spec+".mjs"))
	cmd.Dir = dir
	art := Artefacts(t, spec)
	cmd.Env = append(os.Environ(), "XIUHUA_ARTEFACTS="+art)
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("browser spec %s: start node: %v", spec, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(timeout):
		_ = cmd.Process.Kill()
		<-done
		err = fmt.Errorf("still running after %v; killed", timeout)
	}
	t.Logf("browser spec %s output:\n%s", spec, out.String())
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		t.Fatalf("browser spec %s failed (exit status %d); its output is above, screenshots in %s", spec, exit.ExitCode(), art)
	default:
		t.Fatalf("browser spec %s: %v", spec, err)
	}
}
