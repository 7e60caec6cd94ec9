package looks

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
)

// TestBackgroundYieldsToLooks: with one slot, background work waits while
// a camera waits for a turn, and gets the slot once none does; it counts
// as no look.
func TestBackgroundYieldsToLooks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := New(Config{Log: slog.New(slog.DiscardHandler)})
		a, b := s.Register("a", 1, nil), s.Register("b", 1, nil)
		ta, err := a.Wait(t.Context())
		require.NoError(t, err)
		var order []string
		var mu sync.Mutex
		note := func(who string) {
			mu.Lock()
			order = append(order, who)
			mu.Unlock()
		}
		var wg sync.WaitGroup
		wg.Go(func() {
			turn, err := a.Background(t.Context())
			if err == nil {
				note("background")
				time.Sleep(100 * time.Millisecond)
				turn.Done()
			}
		})
		synctest.Wait() // background waits first
		wg.Go(func() {
			turn, err := b.Wait(t.Context())
			if err == nil {
				note("b")
				time.Sleep(100 * time.Millisecond)
				turn.Done()
			}
		})
		synctest.Wait()
		ta.Done()
		wg.Wait()
		require.Equal(t, []string{"b", "background"}, order, "the waiting camera first")
		s.measure()
		st := s.Status()
		// One tick measured: 100 ms of one slot-second, beside two looks.
		require.InDelta(t, 0.1, st.Background, 0.001)
		require.InDelta(t, 0.1, st.Busy, 0.001, "b's 100 ms look; a's took no time")
		require.InDelta(t, 1.0, st.Cameras[0].Rate, 1e-9, "a's one look, not its background turn")
	})
}

// TestBackgroundIsNotStarved: on a box whose cameras always wait, work
// that waited DefaultBackgroundWait takes turns with them, and its slot
// time is not counted as looking.
func TestBackgroundIsNotStarved(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := New(Config{Log: slog.New(slog.DiscardHandler)})
		ctx, cancel := context.WithCancel(t.Context())
		var wg sync.WaitGroup
		defer func() {
			cancel()
			wg.Wait()
		}()
		var cost atomic.Int64
		cost.Store(int64(100 * time.Millisecond))
		var limit atomic.Uint64
		cams := make([]*Camera, 4)
		for i := range cams {
			cams[i] = s.Register(fmt.Sprintf("cam%d", i), 0, nil) // every frame
			wg.Go(func() { camLoop(ctx, cams[i], 1000, &cost, &limit) })
		}
		wg.Go(func() { s.Run(ctx) })
		time.Sleep(12 * time.Second)
		start := time.Now()
		var got time.Duration
		for range 3 {
			turn, err := cams[0].Background(ctx)
			require.NoError(t, err)
			got = time.Since(start)
			time.Sleep(time.Second)
			turn.Done()
			start = time.Now()
		}
		require.Less(t, got, DefaultBackgroundWait+500*time.Millisecond, "waited its time and a look or two")
		require.GreaterOrEqual(t, got, DefaultBackgroundWait, "it yielded first")
		time.Sleep(time.Second)
		st := s.Status()
		require.Greater(t, st.Background, 0.1, "%+v", st)
		// A turn counts in the tick it ends in, so a window may hold a little
		// more than its own slot time; counted twice it would hold 1.2.
		require.LessOrEqual(t, st.Busy+st.Background, 1.05, "background time is not counted as looking: %+v", st)
	})
}
