// Package testdata finds the shared models and media that tests use. The
// project never commits them; they live in ../shared/testdata beside the
// checkout, or where XIUHUA_TESTDATA points, or in the cache that
// hack/setup.sh fills from upstream.
package testdata

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Dir returns the test data folder, or an error that says where it looked.
func Dir() (string, error) {
	var tried []string
	try := func(d string) bool {
		if d == "" {
			return false
		}
		tried = append(tried, d)
		st, err := os.Stat(filepath.Join(d, "models", "yolox_nano.onnx"))
		return err == nil && !st.IsDir()
	}
	if d := os.Getenv("XIUHUA_TESTDATA"); try(d) {
		return d, nil
	}
	if root, err := RepoRoot(); err == nil {
		if d := filepath.Join(root, "..", "shared", "testdata"); try(d) {
			return filepath.Clean(d), nil
		}
	}
	if d := filepath.Join(CacheDir(), "testdata"); try(d) {
		return d, nil
	}
	return "", fmt.Errorf("test data not found (looked in %v): put ../shared/testdata beside the checkout, set XIUHUA_TESTDATA, or run hack/setup.sh", tried)
}

// Path joins elem onto the test data folder and fails the test, saying what
// is missing, when the folder or the file is not there.
func Path(tb testing.TB, elem ...string) string {
	tb.Helper()
	d, err := Dir()
	if err != nil {
		tb.Fatal(err)
	}
	p := filepath.Join(append([]string{d}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		tb.Fatalf("test data file missing: %v", err)
	}
	return p
}

// CacheDir is where hack/setup.sh keeps downloads and transcodes.
func CacheDir() string {
	if d := os.Getenv("XIUHUA_CACHE"); d != "" {
		return d
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "xiuhua")
	}
	return filepath.Join(os.TempDir(), "xiuhua-cache")
}

// RepoRoot is the folder holding go.mod, found from this source file so it
// works from any package's test.
func RepoRoot() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", fmt.Errorf("cannot locate source file")
	}
	d := filepath.Dir(file)
	for {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("go.mod not found above %s", file)
		}
		d = parent
	}
}
