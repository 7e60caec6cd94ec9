package modelswap

import (
	"context"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gocv.io/x/gocv"

	"github.com/xiuhua/xiuhua/internal/testdata"
)

// A swap under load with the real model: cameras (goroutines calling
// Detect without pause) keep detecting through it, and each sees the model
// version change exactly once, with no frame on the old model after its
// first frame on the new one.
func TestSwapUnderLoadRealModel(t *testing.T) {
	dir := t.TempDir()
	v1 := yoloxModel(t, filepath.Join(dir, "v1"), "0.1.1")
	v2 := yoloxModel(t, filepath.Join(dir, "v2"), "0.1.2")
	cfg := testConfig()
	cfg.ExpectInput = &[2]int{416, 416}
	cfg.ErrorWindow = 6
	mgr, st := newTestManager(t, cfg, v1)
	img := gocv.IMRead(testdata.Path(t, "images", "000000000139.jpg"), gocv.IMReadColor)
	require.False(t, img.Empty())
	defer img.Close()

	const cameras = 3
	versions := make([][]string, cameras)
	counts := make([]atomic.Int64, cameras)
	errs := make(chan error, cameras)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for c := range cameras {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				dets, info, err := mgr.DetectModel(img)
				if err != nil || len(dets) == 0 {
					errs <- err
					return
				}
				versions[c] = append(versions[c], info.Version)
				counts[c].Add(1)
			}
		})
	}
	atLeast := func(n int64) func() bool {
		return func() bool {
			for c := range counts {
				if counts[c].Load() < n {
					return false
				}
			}
			return true
		}
	}
	require.Eventually(t, atLeast(2), time.Minute, 10*time.Millisecond, "every camera detects before the swap")
	require.NoError(t, mgr.Install(context.Background(), Target{Manifest: v2}))
	before := make([]int64, cameras)
	for c := range counts {
		before[c] = counts[c].Load()
	}
	require.Eventually(t, func() bool { return !mgr.Busy() }, time.Minute, 10*time.Millisecond, "probation ends")
	require.Eventually(t, func() bool {
		for c := range counts {
			if counts[c].Load() < before[c]+3 {
				return false
			}
		}
		return true
	}, time.Minute, 10*time.Millisecond, "every camera detects after the swap")
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err, "a camera stopped: detect failed or found nothing")
	}

	for c, vs := range versions {
		changes := 0
		for i := 1; i < len(vs); i++ {
			if vs[i] != vs[i-1] {
				changes++
			}
		}
		require.Equal(t, 1, changes, "camera %d: versions %v", c, vs)
		require.Equal(t, "0.1.1", vs[0])
		require.Equal(t, "0.1.2", vs[len(vs)-1])
	}
	require.Equal(t, stateActive, st.last().GetState())
	require.Equal(t, "0.1.2", st.last().GetRunning().GetVersion())
}
