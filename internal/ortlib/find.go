// Package ortlib finds the onnxruntime shared library and owns the one
// process-wide onnxruntime environment. It does not import gocv, so the
// server can use it to check models without OpenCV.
package ortlib

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
)

// Version is the onnxruntime release that hack/setup.sh installs and that
// github.com/yalue/onnxruntime_go (as pinned in go.mod) is built against.
const Version = "1.24.1"

// EnvLibrary names the environment variable that overrides the search.
const EnvLibrary = "ORT_LIB"

// Find returns the path of the onnxruntime shared library, looking in order:
//
//  1. explicit, when not empty;
//  2. $ORT_LIB;
//  3. $XIUHUA_CACHE (default: the user cache folder + "xiuhua", as
//     hack/setup.sh uses) + /onnxruntime-1.24.1/<x64|arm64>/libonnxruntime.so.1;
//  4. libonnxruntime.so* in /usr/local/lib and /usr/lib.
//
// An explicit path or $ORT_LIB that does not name a file is an error rather
// than a reason to keep looking: an operator who named a library must not
// silently get a different one. Otherwise the error names every place looked.
func Find(explicit string) (string, error) {
	return defaultSearch().find(explicit)
}

// search holds what Find reads from the machine, so that tests can replace it.
type search struct {
	getenv     func(string) string
	userCache  func() (string, error)
	goarch     string
	systemDirs []string
}

func defaultSearch() search {
	return search{
		getenv:     os.Getenv,
		userCache:  os.UserCacheDir,
		goarch:     runtime.GOARCH,
		systemDirs: []string{"/usr/local/lib", "/usr/lib"},
	}
}

func (s search) find(explicit string) (string, error) {
	if explicit != "" {
		return mustBeFile(explicit, "explicit library path")
	}
	if p := s.getenv(EnvLibrary); p != "" {
		return mustBeFile(p, "$"+EnvLibrary)
	}
	var tried []string
	if p := s.cachePath(); p != "" {
		if isFile(p) {
			return p, nil
		}
		tried = append(tried, p)
	}
	for _, dir := range s.systemDirs {
		pattern := filepath.Join(dir, "libonnxruntime.so*")
		tried = append(tried, pattern)
		matches, _ := filepath.Glob(pattern) // only ErrBadPattern, impossible here
		// Sorted, "libonnxruntime.so" comes before versioned names; any of
		// them is the same library installed by the system's packager.
		sort.Strings(matches)
		for _, m := range matches {
			if isFile(m) {
				return m, nil
			}
		}
	}
	return "", fmt.Errorf("onnxruntime shared library not found (looked in: %s; $%s not set): run hack/setup.sh or set %s",
		strings.Join(tried, ", "), EnvLibrary, EnvLibrary)
}

// cachePath is where hack/setup.sh installs the library, or "" when this
// architecture has no build there.
func (s search) cachePath() string {
	arch := map[string]string{"amd64": "x64", "arm64": "arm64"}[s.goarch]
	if arch == "" {
		return ""
	}
	cache := s.getenv("XIUHUA_CACHE")
	if cache == "" {
		d, err := s.userCache()
		if err != nil {
			return ""
		}
		cache = filepath.Join(d, "xiuhua")
	}
	return filepath.Join(cache, "onnxruntime-"+Version, arch, "libonnxruntime.so.1")
}

func mustBeFile(p, what string) (string, error) {
	st, err := os.Stat(p)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "", fmt.Errorf("onnxruntime shared library %q (%s) does not exist: run hack/setup.sh or set %s", p, what, EnvLibrary)
	case err != nil:
		return "", fmt.Errorf("onnxruntime shared library %q (%s): %w", p, what, err)
	case st.IsDir():
		return "", fmt.Errorf("onnxruntime shared library %q (%s) is a folder, want the .so file: run hack/setup.sh or set %s", p, what, EnvLibrary)
	}
	return p, nil
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}
