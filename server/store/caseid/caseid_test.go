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
