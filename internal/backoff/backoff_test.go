package backoff

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestNextStaysWithinCappedExponentialBounds(t *testing.T) {
	b := Backoff{Min: 100 * time.Millisecond, Max: 2 * time.Second}
	want := []time.Duration{100, 200, 400, 800, 1600, 2000, 2000, 2000}
	for i, w := range want {
		upper := w * time.Millisecond
		got := b.Next()
		require.GreaterOrEqual(t, got, upper/2, "attempt %d", i)
		require.LessOrEqual(t, got, upper, "attempt %d", i)
	}
	b.Reset()
	require.LessOrEqual(t, b.Next(), 100*time.Millisecond)
}

func TestNextIsJittered(t *testing.T) {
	seen := map[time.Duration]bool{}
	for range 50 {
		b := Backoff{Min: time.Second, Max: time.Minute}
		b.Next()
		seen[b.Next()] = true
	}
	require.Greater(t, len(seen), 1, "50 backoffs gave the same delay: no jitter")
}
