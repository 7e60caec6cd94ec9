package main

import "time"

// summarise turns the polls into one result: rates over the window (from
// the first poll at or after the warm-up to the last), and the steady
// state from the start.
func summarise(o *edgeOptions, k int, ss []sample) edgeResult {
	r := edgeResult{k: k}
	first := -1
	for i, s := range ss {
		if s.at >= o.warmup {
			first = i
			break
		}
	}
	if first < 0 || first == len(ss)-1 {
		return r
	}
	a, b := ss[first], ss[len(ss)-1]
	secs := (b.at - a.at).Seconds()
	r.cpu = (b.cpu - a.cpu).Seconds() / secs
	r.dropsPerSec = (b.dropped - a.dropped) / secs
	r.lagMax, r.keyOnly, r.goHeap = b.lagMax, b.keyOnly, b.goHeap
	rates := map[string]float64{}
	r.min = -1
	for cam, v := range b.looks {
		rate := (v - a.looks[cam]) / secs
		rates[cam] = rate
		r.mean += rate / float64(k)
		if r.min < 0 || rate < r.min {
			r.min = rate
		}
		r.max = max(r.max, rate)
	}
	if len(b.looks) < k {
		r.min = 0 // a camera that never looked has no series yet
	}
	over := 0
	for _, s := range ss[first:] {
		r.rss = max(r.rss, s.rss)
		if s.over {
			over++
		}
	}
	r.overShare = float64(over) / float64(len(ss)-first)
	r.steady, r.steadyOK = steadyAt(o, ss, rates, k)
	return r
}

// steadyAt is when the last camera reached steady state: the first poll
// from which its looks over the trailing window (-steady-window, longer
// for a camera too slow to look five times in it) reach steadyFraction of
// its measured rate, and stay there at every later poll.
func steadyAt(o *edgeOptions, ss []sample, rates map[string]float64, k int) (time.Duration, bool) {
	if len(rates) < k {
		return 0, false
	}
	var last time.Duration
	for cam, rate := range rates {
		if rate <= 0 {
			return 0, false
		}
		// At least five looks' worth of window, so that a low rate's
		// discrete looks do not make a steady camera look unsteady.
		win := min(max(o.steadyWindow, time.Duration(5/rate*float64(time.Second))), o.warmup)
		want := o.steadyFraction * rate * win.Seconds()
		at := time.Duration(-1)
		j := 0
		for i, s := range ss {
			for j < i && ss[j].at < s.at-win {
				j++
			}
			if s.at < win {
				continue
			}
			// ss[j] is the first poll inside the trailing window; the one
			// before it, if any, is its start.
			base := 0.0
			if j > 0 {
				base = ss[j-1].looks[cam]
			}
			ok := s.looks[cam]-base >= want
			switch {
			case ok && at < 0:
				at = s.at
			case !ok:
				at = -1
			}
		}
		if at < 0 {
			return 0, false
		}
		last = max(last, at)
	}
	return last, true
}
