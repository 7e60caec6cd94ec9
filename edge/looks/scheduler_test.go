package looks

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/internal/logtest"
)

// camLoop is a camera with a frame every 1/fps that looks at each frame it
// gets a turn for, a look costing *cost (virtual time in a synctest
// bubble). It offers frames no faster than its limit, as ingest would.
func camLoop(ctx context.Context, c *Camera, fps float64, cost *atomic.Int64, limit *atomic.Uint64) {
	for ctx.Err() == nil {
		turn, err := c.Wait(ctx)
		if err != nil {
			return
		}
		time.Sleep(time.Duration(cost.Load()))
		turn.Done()
		rate := fps
		if l := float64(limit.Load()) / 1000; l > 0 && l < rate {
			rate = l
		}
		select {
		case <-ctx.Done():
		case <-time.After(time.Duration(float64(time.Second) / rate)):
		}
	}
}

// TestOverloadIsFairAndReported: 8 cameras want 1 look/s each, a look
// costs 250 ms, so one slot gives 4 looks/s. The box must say it is
// overloaded, every camera must get about the same share, and when looks
// get cheap it must say the overload ended.
func TestOverloadIsFairAndReported(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var logs logtest.Buffer
		s := New(Config{Log: slog.New(slog.NewTextHandler(&logs, nil))})
		ctx, cancel := context.WithCancel(t.Context())
		var wg sync.WaitGroup
		var cost atomic.Int64
		cost.Store(int64(250 * time.Millisecond))
		limits := make([]atomic.Uint64, 8)
		for i := range limits {
			c := s.Register(fmt.Sprintf("cam%d", i), 1, func(fps float64) { limits[i].Store(uint64(fps * 1000)) })
			wg.Go(func() { camLoop(ctx, c, 1, &cost, &limits[i]) })
		}
		wg.Go(func() { s.Run(ctx) })

		time.Sleep(30 * time.Second)
		st := s.Status()
		require.True(t, st.Overloaded, "%+v", st)
		require.InDelta(t, 4, st.Achieved, 0.5)
		lo, hi := st.Cameras[0].Rate, st.Cameras[0].Rate
		for _, c := range st.Cameras {
			lo, hi = min(lo, c.Rate), max(hi, c.Rate)
			require.InDelta(t, 0.5*headroom, c.Limit, 0.15, "%s's limit", c.ID)
		}
		require.Greater(t, lo, 0.0)
		require.LessOrEqual(t, hi/lo, 1.5, "looks per camera %v .. %v", lo, hi)
		require.Equal(t, 1, strings.Count(logs.String(), "box overloaded"), logs.String())

		cost.Store(int64(20 * time.Millisecond))
		time.Sleep(30 * time.Second)
		st = s.Status()
		require.False(t, st.Overloaded, "%+v", st)
		for _, c := range st.Cameras {
			require.InDelta(t, 1, c.Rate, 0.2, "%s", c.ID)
			require.Zero(t, c.Limit)
		}
		require.Equal(t, 1, strings.Count(logs.String(), "box no longer overloaded"), logs.String())
		cancel()
		wg.Wait()
	})
}

// TestNotOverloadedWhenCamerasAreIdle: a busy detector is not overload
// when the cameras get what they ask for (one camera wanting every frame
// keeps the slot busy and is served).
func TestNotOverloadedWhenDemandIsMet(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := New(Config{Log: slog.New(slog.DiscardHandler)})
		ctx, cancel := context.WithCancel(t.Context())
		var wg sync.WaitGroup
		var cost atomic.Int64
		cost.Store(int64(100 * time.Millisecond))
		var limit atomic.Uint64
		for i := range 4 {
			c := s.Register(fmt.Sprintf("cam%d", i), 2, nil)
			wg.Go(func() { camLoop(ctx, c, 2, &cost, &limit) })
		}
		wg.Go(func() { s.Run(ctx) })
		time.Sleep(30 * time.Second)
		st := s.Status()
		require.False(t, st.Overloaded, "%+v", st)
		require.InDelta(t, 8*0.1, st.Busy, 0.2)
		cancel()
		wg.Wait()
	})
}

// TestWaitEndsWithContext: a camera waiting behind a long look gives up
// when its context ends, and the slot is not lost.
func TestWaitEndsWithContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := New(Config{})
		a, b := s.Register("a", 1, nil), s.Register("b", 1, nil)
		turn, err := a.Wait(t.Context())
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(t.Context())
		errc := make(chan error, 1)
		go func() {
			_, err := b.Wait(ctx)
			errc <- err
		}()
		synctest.Wait()
		cancel()
		require.ErrorIs(t, <-errc, context.Canceled)
		turn.Done()
		turn, err = b.Wait(t.Context())
		require.NoError(t, err, "the slot came back")
		turn.Done()
	})
}
