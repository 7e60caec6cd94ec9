package rules

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Hours is a daily window of local time, From inclusive, To exclusive, as
// offsets from midnight. A window with To before From runs over midnight
// (a night market 22:00–02:00).
type Hours struct{ From, To time.Duration }

// ParseHours reads "18:00-22:00".
func ParseHours(s string) (Hours, error) {
	from, to, ok := strings.Cut(s, "-")
	if !ok {
		return Hours{}, fmt.Errorf("hours %q: want HH:MM-HH:MM", s)
	}
	f, err := clock(from)
	if err != nil {
		return Hours{}, fmt.Errorf("hours %q: %w", s, err)
	}
	t, err := clock(to)
	if err != nil {
		return Hours{}, fmt.Errorf("hours %q: %w", s, err)
	}
	if f == t {
		return Hours{}, fmt.Errorf("hours %q: empty window", s)
	}
	return Hours{From: f, To: t}, nil
}

func clock(s string) (time.Duration, error) {
	hh, mm, ok := strings.Cut(strings.TrimSpace(s), ":")
	h, err1 := strconv.Atoi(hh)
	m, err2 := strconv.Atoi(mm)
	if !ok || err1 != nil || err2 != nil || h < 0 || h > 24 || m < 0 || m > 59 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("%q is not a time of day HH:MM", s)
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, nil
}

// Contains reports whether t, read in its own location, falls in the window.
func (h Hours) Contains(t time.Time) bool {
	y, mo, d := t.Date()
	sinceMidnight := t.Sub(time.Date(y, mo, d, 0, 0, 0, 0, t.Location()))
	if h.From < h.To {
		return sinceMidnight >= h.From && sinceMidnight < h.To
	}
	return sinceMidnight >= h.From || sinceMidnight < h.To
}
