package ortlib

import (
	"fmt"
	"path/filepath"
	"sync"

	ort "github.com/yalue/onnxruntime_go"
)

// The onnxruntime environment is process-wide and a shared library cannot be
// unloaded safely while sessions may exist, so it is created once and kept.
// A mutex rather than sync.Once lets a failed attempt (wrong path, old
// library) be retried with another path.
var (
	mu     sync.Mutex
	loaded string // resolved path of the library in use; "" before Init succeeds
)

// Init loads the onnxruntime shared library found by Find(explicit) and
// creates the global onnxruntime environment, once per process. Later calls
// are cheap no-ops when explicit is empty or resolves to the library already
// loaded; a different library is an error, since one process cannot hold two.
// Safe for concurrent use.
func Init(explicit string) error {
	mu.Lock()
	defer mu.Unlock()
	if loaded != "" {
		if explicit == "" {
			return nil
		}
		p, err := Find(explicit)
		if err != nil {
			return err
		}
		if !samePath(p, loaded) {
			return fmt.Errorf("onnxruntime already initialised from %q; cannot load %q in the same process", loaded, p)
		}
		return nil
	}
	if ort.IsInitialized() {
		return fmt.Errorf("onnxruntime environment was initialised outside ortlib; call ortlib.Init instead of onnxruntime_go.InitializeEnvironment")
	}
	p, err := Find(explicit)
	if err != nil {
		return err
	}
	ort.SetSharedLibraryPath(p)
	// Warnings from the runtime go to stderr unstructured; errors still
	// come back to us as returned statuses.
	if err := ort.InitializeEnvironment(ort.WithLogLevelError()); err != nil {
		return fmt.Errorf("initialise onnxruntime from %q (want onnxruntime %s): %w", p, Version, err)
	}
	loaded = p
	return nil
}

// Loaded returns the path of the library Init loaded, or "" before it has.
func Loaded() string {
	mu.Lock()
	defer mu.Unlock()
	return loaded
}

// samePath compares two paths after resolving links, so that
// libonnxruntime.so and the libonnxruntime.so.1 it points to are one library.
func samePath(a, b string) bool {
	ra, err1 := filepath.EvalSymlinks(a)
	rb, err2 := filepath.EvalSymlinks(b)
	if err1 != nil || err2 != nil {
		return filepath.Clean(a) == filepath.Clean(b)
	}
	return ra == rb
}
