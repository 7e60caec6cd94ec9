package modelswap

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gocv.io/x/gocv"

	"github.com/xiuhua/xiuhua/edge/detect"
	"github.com/xiuhua/xiuhua/edge/vision"
)

// held is a model copy whose frames wait for release.
type held struct {
	running *atomic.Int32
	release chan struct{}
	closed  atomic.Bool
}

func (h *held) Detect(gocv.Mat) ([]vision.Detection, error) {
	h.running.Add(1)
	defer h.running.Add(-1)
	<-h.release
	return nil, nil
}
func (h *held) DetectBatch(imgs []gocv.Mat) ([][]vision.Detection, error) {
	return make([][]vision.Detection, len(imgs)), nil
}
func (h *held) Info() vision.ModelInfo { return vision.ModelInfo{Name: "held", Version: "1"} }
func (h *held) Close() error {
	h.closed.Store(true)
	return nil
}

// Frames run outside the manager's lock: a pool of two copies runs two
// cameras' frames at once, and closing the manager waits for a frame
// still on the model before freeing it.
func TestFramesRunAtOnce(t *testing.T) {
	var running atomic.Int32
	release := make(chan struct{})
	a, b := &held{running: &running, release: release}, &held{running: &running, release: release}
	m := New(testConfig(), detect.NewPool([]detect.Detector{a, b}), []string{"person"})

	img := gocv.NewMatWithSize(8, 8, gocv.MatTypeCV8UC3)
	defer img.Close()
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, info, err := m.DetectModel(img)
			require.NoError(t, err)
			require.Equal(t, "held", info.Name)
		}()
	}
	require.Eventually(t, func() bool { return running.Load() == 2 }, time.Minute, time.Millisecond,
		"both frames run at once")
	release <- struct{}{}
	release <- struct{}{}
	wg.Wait()

	wg.Add(1)
	go func() {
		defer wg.Done()
		_, _, _ = m.DetectModel(img)
	}()
	require.Eventually(t, func() bool { return running.Load() == 1 }, time.Minute, time.Millisecond)
	closed := make(chan error, 1)
	go func() { closed <- m.Close() }()
	select {
	case <-closed:
		t.Fatal("the model was closed under a running frame")
	case <-time.After(20 * time.Millisecond):
	}
	require.False(t, a.closed.Load() || b.closed.Load())
	release <- struct{}{}
	require.NoError(t, <-closed)
	wg.Wait()
	require.True(t, a.closed.Load() && b.closed.Load())
	_, _, err := m.DetectModel(img)
	require.Error(t, err, "closed")
}
