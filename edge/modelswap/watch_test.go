package modelswap

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Local mode: a changed manifest is installed with the same checks, a
// broken one is refused and reported, and the ONNX file arriving after its
// manifest is picked up when it lands.
func TestWatcherSwapsWhenManifestChanges(t *testing.T) {
	dir := t.TempDir()
	v1 := genModel(t, dir, "1", nmsFreeModel(goodOut, nil), "a, b, c")
	mgr, st := newTestManager(t, testConfig(), v1)
	black := frame(t, 0)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	// The first print is taken before the test changes the folder (Run
	// takes it in its own goroutine, which may start after the change).
	w := &Watcher{Manifest: v1, Interval: 20 * time.Millisecond, Manager: mgr}
	seen := w.first()
	wg.Go(func() { w.poll(ctx, seen) })
	defer wg.Wait()
	defer cancel()

	// run feeds frames, so that probation can end, until cond holds.
	run := func(msg string, cond func() bool) {
		t.Helper()
		require.Eventually(t, func() bool {
			_, err := mgr.Detect(black)
			require.NoError(t, err)
			return cond()
		}, 30*time.Second, 10*time.Millisecond, msg)
	}

	genModel(t, dir, "2", nmsFreeModel(goodOut, nil), "a, b, c")
	run("version 2 swapped in and past probation", func() bool {
		return mgr.Info().Version == "2" && !mgr.Busy()
	})

	// A manifest whose weights are not there yet is refused...
	next := nmsFreeModel([]float32{4, 4, 30, 30, 0.8, 1}, nil)
	writeManifest(t, dir, fmt.Sprintf(genManifest, "gen", "3", "gen-3.onnx", sha256Hex(next), "a, b, c"))
	run("the manifest without weights is refused", func() bool {
		return st.last().GetState() == stateFailed
	})
	require.Contains(t, st.last().GetReason(), "gen-3.onnx")
	require.Equal(t, "2", mgr.Info().Version)

	// ...and taken once they land.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "gen-3.onnx.tmp"), next, 0o644))
	require.NoError(t, os.Rename(filepath.Join(dir, "gen-3.onnx.tmp"), filepath.Join(dir, "gen-3.onnx")))
	run("version 3 swapped in once its weights arrived", func() bool { return mgr.Info().Version == "3" })
	dets, info, err := mgr.DetectModel(black)
	require.NoError(t, err)
	require.Equal(t, "3", info.Version)
	require.Equal(t, "b", dets[0].Class)
}
