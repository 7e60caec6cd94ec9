package caseid

import (
	"strings"
	"time"
)

// An id's first ten digits are its 48-bit Unix millisecond; the sixteen
// after them are the random part.
const (
	timeDigits = 10
	maxMS      = 1<<48 - 1
)

// Time returns the millisecond an id carries: the creation time Next was
// given, or, when the clock had gone back, the later time the id took.
// ok is false for an id that is not Valid or whose time does not fit in
// 48 bits (Valid takes a first digit up to Z; Next makes at most 7).
func Time(id string) (t time.Time, ok bool) {
	if !Valid(id) {
		return time.Time{}, false
	}
	var ms int64
	for i := range timeDigits {
		ms = ms<<5 | int64(strings.IndexByte(crockford, id[i]))
	}
	if ms > maxMS {
		return time.Time{}, false
	}
	return time.UnixMilli(ms), true
}

// Floor returns the smallest id of t's millisecond: every id Next makes
// at t or later sorts at or after it, and every id made before t's
// millisecond sorts before it. Times before 1970 or after the year 10889
// are taken as those ends. It lets a store turn a bound on creation time
// into a bound on ids, which it keeps in key order.
func Floor(t time.Time) string {
	ms := min(max(t.UnixMilli(), 0), maxMS)
	var out [26]byte
	for i := range timeDigits {
		out[i] = crockford[ms>>(5*(timeDigits-1-i))&31]
	}
	for i := timeDigits; i < len(out); i++ {
		out[i] = '0'
	}
	return string(out[:])
}

// NextWithTime is Next, also returning the creation time to keep with the
// id: now, or, when the clock has gone back, the later millisecond the id
// took. A case's id and its created_at then always agree, which Floor
// bounds rely on.
func (g *Gen) NextWithTime(now time.Time) (string, time.Time) {
	id := g.Next(now)
	if t, _ := Time(id); t.After(now) {
		return id, t
	}
	return id, now
}
