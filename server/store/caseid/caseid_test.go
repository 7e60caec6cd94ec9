package caseid

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestIDsIncrease(t *testing.T) {
	g := NewGen()
	now := time.Now()
	prev := ""
	for i := range 1000 {
		// Mostly the same millisecond, and once the clock steps back.
		at := now
		if i == 500 {
			at = now.Add(-time.Hour)
		}
		id := g.Next(at)
		require.Len(t, id, 26)
		require.True(t, Valid(id), id)
		require.Greater(t, id, prev)
		prev = id
	}
	require.Greater(t, g.Next(now.Add(time.Second)), prev)
}

func TestValid(t *testing.T) {
	for _, tc := range []struct {
		id   string
		want bool
	}{
		{NewGen().Next(time.Now()), true},
		{"", false},
		{"01JXXXXXXXXXXXXXXXXXXXXXXU", false}, // U is not Crockford
		{"' OR 1=1 --xxxxxxxxxxxxxxx", false},
	} {
		require.Equal(t, tc.want, Valid(tc.id), tc.id)
	}
}

func TestTimeAndFloor(t *testing.T) {
	g := NewGen()
	base := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	for i, at := range []time.Time{base, base.Add(1500 * time.Microsecond), base.Add(time.Hour), base.Add(time.Hour)} {
		id := g.Next(at)
		got, ok := Time(id)
		require.True(t, ok)
		require.True(t, got.Equal(at.Truncate(time.Millisecond)), "run %d: %s from %s", i, got, at)
		// Floor bounds the ids of its millisecond from below and those
		// of the next from above.
		require.LessOrEqual(t, Floor(at), id)
		require.Less(t, id, Floor(at.Add(time.Millisecond)))
		require.True(t, Valid(Floor(at)))
	}
	// After the clock steps back, the id keeps the later time.
	id := g.Next(base)
	got, _ := Time(id)
	require.Equal(t, base.Add(time.Hour).UnixMilli(), got.UnixMilli())

	_, ok := Time("not an id")
	require.False(t, ok)
	require.Equal(t, "00000000000000000000000000", Floor(time.Unix(-5, 0)))
	require.Equal(t, "7ZZZZZZZZZ0000000000000000", Floor(time.Date(20000, 1, 1, 0, 0, 0, 0, time.UTC)))
}

// FuzzTime: any string either is refused or gives a time whose Floor
// bounds it.
func FuzzTime(f *testing.F) {
	f.Add(NewGen().Next(time.Now()))
	f.Add("ZZZZZZZZZZZZZZZZZZZZZZZZZZ")
	f.Add("")
	f.Fuzz(func(t *testing.T, id string) {
		at, ok := Time(id)
		if !ok {
			return
		}
		require.True(t, Valid(id))
		require.LessOrEqual(t, Floor(at), id)
		if at.UnixMilli() < maxMS { // the last millisecond has no next
			require.Less(t, id, Floor(at.Add(time.Millisecond)))
		}
	})
}
