package clip

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// synthetic is n packets at 10 per second from t0, a keyframe every gop,
// each of size bytes.
func synthetic(t0 time.Time, n, gop, size int) []Packet {
	out := make([]Packet, n)
	for i := range out {
		at := time.Duration(i) * 100 * time.Millisecond
		out[i] = Packet{Time: t0.Add(at), PTS: at, Session: 1, Key: i%gop == 0, AU: [][]byte{make([]byte, size)}}
	}
	return out
}

func TestRingKeepsDurationInWholeGOPs(t *testing.T) {
	t0 := time.Unix(1000, 0)
	r := NewRing(2*time.Second, 0)
	for _, p := range synthetic(t0, 100, 10, 100) { // 10 s, a keyframe a second
		r.Push(p)
	}
	oldest, newest := r.Span()
	require.Equal(t, t0.Add(9900*time.Millisecond), newest)
	// At least 2 s kept, starting at a keyframe (whole seconds), at most
	// one GOP more.
	require.Equal(t, t0.Add(7*time.Second), oldest)
	pkts, _, err := r.Select(t0, newest)
	require.NoError(t, err)
	require.True(t, pkts[0].Key, "the ring starts at a keyframe")
}

func TestRingDropsUntilFirstKeyframe(t *testing.T) {
	t0 := time.Unix(1000, 0)
	r := NewRing(time.Minute, 0)
	for _, p := range synthetic(t0, 25, 10, 10)[5:] { // joins mid-GOP
		r.Push(p)
	}
	oldest, _ := r.Span()
	require.Equal(t, t0.Add(time.Second), oldest)
}

func TestRingByteBudget(t *testing.T) {
	t0 := time.Unix(1000, 0)
	r := NewRing(time.Hour, 100_000)
	for _, p := range synthetic(t0, 300, 10, 1000) { // 300 kB in all
		r.Push(p)
	}
	require.LessOrEqual(t, r.Bytes(), 100_000+10*(1000+200), "within budget plus the GOP being written")
	pkts, _, err := r.Select(t0, t0.Add(time.Hour))
	require.NoError(t, err)
	require.True(t, pkts[0].Key)
}

func TestRingSelect(t *testing.T) {
	t0 := time.Unix(1000, 0)
	r := NewRing(time.Minute, 0)
	for _, p := range synthetic(t0, 50, 10, 10) {
		r.Push(p)
	}
	tests := []struct {
		name      string
		from, to  time.Duration
		wantFirst time.Duration
		wantN     int
		wantErr   bool
	}{
		{"starts at the keyframe before from", 2500 * time.Millisecond, 3500 * time.Millisecond, 2 * time.Second, 16, false},
		{"from on a keyframe", 3 * time.Second, 3 * time.Second, 3 * time.Second, 1, false},
		{"from before the ring", -time.Hour, 500 * time.Millisecond, 0, 6, false},
		{"to after the ring", 4 * time.Second, time.Hour, 4 * time.Second, 10, false},
		{"before everything", -time.Hour, -time.Minute, 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pkts, _, err := r.Select(t0.Add(tt.from), t0.Add(tt.to))
			if tt.wantErr {
				require.ErrorIs(t, err, ErrNoVideo)
				return
			}
			require.NoError(t, err)
			require.Equal(t, t0.Add(tt.wantFirst), pkts[0].Time)
			require.True(t, pkts[0].Key)
			require.Len(t, pkts, tt.wantN)
		})
	}
}

func TestRingClipWaitsForPostRoll(t *testing.T) {
	t0 := time.Now()
	r := NewRing(time.Minute, 0)
	r.SetParams(Params{Codec: H264})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		// No parameter sets anywhere: the wait ends, then encoding fails,
		// which shows Clip waited for the packets and then used them.
		_, err := r.Clip(ctx, t0, 0, 500*time.Millisecond)
		done <- err
	}()
	pkts := synthetic(t0, 10, 5, 10)
	for _, p := range pkts[:3] {
		r.Push(p)
	}
	select {
	case err := <-done:
		t.Fatalf("Clip returned before t0+post was in the ring: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	for _, p := range pkts[3:] {
		r.Push(p)
	}
	select {
	case err := <-done:
		require.ErrorContains(t, err, "parameter sets")
	case <-time.After(10 * time.Second):
		t.Fatal("Clip did not return once the post-roll arrived")
	}

	// A cancelled context ends the wait with what is there.
	ctx2, cancel2 := context.WithCancel(context.Background())
	cancel2()
	_, err := r.Clip(ctx2, t0.Add(time.Hour), time.Hour+time.Minute, time.Minute)
	require.ErrorContains(t, err, "parameter sets")
}

// BenchmarkRingPush is the steady state of a camera's ring: 25 access
// units a second pushed into a full 20 s ring with nobody waiting for a
// clip. allocs/op counts what a Push allocates (the packet's bytes are
// the caller's); the trim copies down and allocates nothing.
//
//	go test -run '^$' -bench RingPush -benchmem ./edge/clip
func BenchmarkRingPush(b *testing.B) {
	r := NewRing(20*time.Second, 64<<20)
	t0 := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	au := [][]byte{make([]byte, 9000)}
	i := 0
	push := func() {
		at := t0.Add(time.Duration(i) * 40 * time.Millisecond)
		r.Push(Packet{Time: at, PTS: time.Duration(i) * 40 * time.Millisecond, Key: i%50 == 0, AU: au})
		i++
	}
	for range 25 * 25 { // past the duration: the ring trims from now on
		push()
	}
	b.ReportAllocs()
	for b.Loop() {
		push()
	}
}
