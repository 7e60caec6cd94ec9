package detect

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gocv.io/x/gocv"
)

// gate is a Detector whose Detect blocks until released, counting how many
// run at once.
type gate struct {
	running, most *atomic.Int32
	release       chan struct{}
	closed        atomic.Bool
}

func (g *gate) Detect(gocv.Mat) ([]Detection, error) {
	n := g.running.Add(1)
	for {
		m := g.most.Load()
		if n <= m || g.most.CompareAndSwap(m, n) {
			break
		}
	}
	<-g.release
	g.running.Add(-1)
	return []Detection{{Class: "person"}}, nil
}

func (g *gate) DetectBatch(imgs []gocv.Mat) ([][]Detection, error) {
	return make([][]Detection, len(imgs)), nil
}
func (g *gate) Info() ModelInfo { return ModelInfo{Name: "gate"} }
func (g *gate) Close() error {
	g.closed.Store(true)
	return nil
}

func TestPoolRunsSizeAtOnce(t *testing.T) {
	var running, most atomic.Int32
	release := make(chan struct{})
	gates := []*gate{{running: &running, most: &most, release: release}, {running: &running, most: &most, release: release}}
	p := NewPool([]Detector{gates[0], gates[1]})
	require.Equal(t, 2, p.Size())
	require.Equal(t, "gate", p.Info().Name)

	var wg sync.WaitGroup
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dets, err := p.Detect(gocv.NewMat())
			require.NoError(t, err)
			require.Len(t, dets, 1)
		}()
	}
	// Two frames run, the other three wait for a copy.
	require.Eventually(t, func() bool { return running.Load() == 2 }, time.Minute, time.Millisecond)
	for range 5 {
		release <- struct{}{}
	}
	wg.Wait()
	require.Equal(t, int32(2), most.Load(), "never more frames at once than copies")

	// Close waits for a frame still running, and closes every copy.
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, _ = p.Detect(gocv.NewMat())
	}()
	require.Eventually(t, func() bool { return running.Load() == 1 }, time.Minute, time.Millisecond)
	closed := make(chan error, 1)
	go func() { closed <- p.Close() }()
	select {
	case <-closed:
		t.Fatal("Close returned while a frame was running")
	case <-time.After(20 * time.Millisecond):
	}
	release <- struct{}{}
	require.NoError(t, <-closed)
	wg.Wait()
	require.True(t, gates[0].closed.Load() && gates[1].closed.Load())
	_, err := p.Detect(gocv.NewMat())
	require.ErrorIs(t, err, ErrPoolClosed)
	require.NoError(t, p.Close(), "idempotent")
}
