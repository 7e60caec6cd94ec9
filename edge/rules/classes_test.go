package rules

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/edge/track"
)

// A rule's classes replaced between frames (a hot swap re-resolving a rule
// configured without classes): one object of class seen every second in the
// zone from 0 to 6 s, the new sets given after the frame at 1 s.
func TestEngineSetClasses(t *testing.T) {
	rule := Rule{ID: "r", Classes: []string{"chair"}, Dwell: 2 * time.Second, GapTolerance: time.Second}
	cases := []struct {
		name    string
		class   string
		sets    [][]string // SetClasses calls, in order
		apply   bool       // ApplyClasses after them
		changed bool
		fires   []float64
		classes []string // the rule's classes at the end
	}{
		{"picks up a class it did not have", "umbrella", [][]string{{"umbrella", "chair"}}, true, true, []float64{4}, []string{"umbrella", "chair"}},
		{"waits for ApplyClasses", "umbrella", [][]string{{"umbrella", "chair"}}, false, false, nil, []string{"chair"}},
		{"keeps counting a class that stays", "chair", [][]string{{"umbrella", "chair"}}, true, true, []float64{2}, []string{"umbrella", "chair"}},
		{"a class that leaves stops counting", "chair", [][]string{{"umbrella"}}, true, true, nil, []string{"umbrella"}},
		{"no classes: the rule cannot fire", "chair", [][]string{nil}, true, true, nil, nil},
		{"the last set waiting wins", "chair", [][]string{{"umbrella"}, {"chair"}}, true, false, []float64{2}, []string{"chair"}},
		{"the same set changes nothing", "chair", [][]string{{"chair"}}, true, false, []float64{2}, []string{"chair"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			zones := []ZoneRules{{Zone: square, Rules: []Rule{rule}}}
			e := NewEngine(zones)
			var fired []float64
			for sec := range 7 {
				now := t0.Add(time.Duration(sec) * time.Second)
				for _, v := range e.Observe(now, 100, 100, []track.Track{at(1, tc.class, 50, 50)}) {
					fired = append(fired, v.At.Sub(t0).Seconds())
				}
				if sec != 1 {
					continue
				}
				for _, c := range tc.sets {
					require.True(t, e.SetClasses("z", "r", c))
				}
				if tc.apply {
					require.Equal(t, tc.changed, e.ApplyClasses())
				}
			}
			require.Equal(t, tc.fires, fired)
			require.Equal(t, tc.classes, e.Zones()[0].Rules[0].Classes)
			require.Equal(t, slices.Contains(tc.classes, "umbrella"), e.Watches("umbrella"))
			require.Equal(t, []string{"chair"}, zones[0].Rules[0].Classes, "the caller's rules are its own")
			require.Equal(t, !tc.apply, e.ApplyClasses(), "a set left waiting applies later, none twice")
		})
	}
}

// Stays of a class that no longer counts end with the gap tolerance.
func TestEngineSetClassesStaysAgeOut(t *testing.T) {
	e := NewEngine([]ZoneRules{{Zone: square, Rules: []Rule{{ID: "r", Classes: []string{"chair"}, Dwell: time.Minute, GapTolerance: time.Second}}}})
	chair := []track.Track{at(1, "chair", 50, 50)}
	e.Observe(t0, 100, 100, chair)
	require.Equal(t, 1, e.Stays())
	e.SetClasses("z", "r", []string{"umbrella"})
	e.ApplyClasses()
	e.Observe(t0.Add(500*time.Millisecond), 100, 100, chair)
	require.Equal(t, 1, e.Stays(), "not cut short")
	e.Observe(t0.Add(2*time.Second), 100, 100, chair)
	require.Zero(t, e.Stays())
}

func TestEngineSetClassesUnknownRule(t *testing.T) {
	e := NewEngine([]ZoneRules{{Zone: square, Rules: []Rule{{ID: "r", Classes: []string{"chair"}}}}})
	require.False(t, e.SetClasses("z", "other", []string{"umbrella"}))
	require.False(t, e.SetClasses("other", "r", []string{"umbrella"}))
	require.False(t, e.ApplyClasses())
}

// SetClasses comes from the model manager's goroutine while the camera's
// goroutine observes (run with -race).
func TestEngineSetClassesConcurrent(t *testing.T) {
	e := NewEngine([]ZoneRules{{Zone: square, Rules: []Rule{{ID: "r", Classes: []string{"chair"}, Dwell: time.Hour, GapTolerance: time.Hour}}}})
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range 200 {
			e.SetClasses("z", "r", []string{"chair", []string{"umbrella", "cart"}[i%2]})
		}
	})
	for i := range 200 {
		e.ApplyClasses()
		e.Observe(t0.Add(time.Duration(i)*time.Millisecond), 100, 100, []track.Track{at(1, "chair", 50, 50)})
	}
	wg.Wait()
	e.ApplyClasses()
	require.Equal(t, []string{"chair", "cart"}, e.Zones()[0].Rules[0].Classes, "the last set given wins")
	require.Equal(t, 1, e.Stays(), "chair counted throughout")
}
