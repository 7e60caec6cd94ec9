// Package casenum makes and reads the case numbers officers read out on
// the phone: YYYYMMDD-NNNN, the day the case was opened (in web.time_zone)
// and its place in that day's sequence, from 0001. The sequence widens past
// 9999 (20261206-10000) rather than wrap, so a number is never reused.
package casenum

import (
	"fmt"
	"strconv"
	"time"
)

// DefaultZone is the zone numbers are counted in when none is configured:
// web.time_zone's default, and the zone migration 0019 (PostgreSQL 0016)
// numbered the cases from before numbers existed in.
const DefaultZone = "Asia/Shanghai"

// Day is the day part of the numbers of cases opened at t, in loc.
func Day(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("20060102")
}

// Format joins a day ("20261206") and a sequence number.
func Format(day string, seq int64) string {
	return fmt.Sprintf("%s-%04d", day, seq)
}

// Parse reads a case number as an officer may type it: the day, a dash and
// the sequence, with or without its leading zeros ("20261206-7" is
// 20261206-0007). It returns the number as Format writes it; ok is false
// for anything else, a day that is no calendar day included.
func Parse(s string) (number string, ok bool) {
	if len(s) < 10 || len(s) > 8+1+12 || s[8] != '-' {
		return "", false
	}
	day, seq := s[:8], s[9:]
	if _, err := time.Parse("20060102", day); err != nil {
		return "", false
	}
	for _, r := range seq {
		if r < '0' || r > '9' {
			return "", false
		}
	}
	n, err := strconv.ParseInt(seq, 10, 64)
	if err != nil || n < 1 {
		return "", false
	}
	return Format(day, n), true
}

// IsDay reports whether s is a number's day part alone ("20261206"): a
// search for it lists that day's cases.
func IsDay(s string) bool {
	if len(s) != 8 {
		return false
	}
	_, err := time.Parse("20060102", s)
	return err == nil
}
