package casenum

import (
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"20261206-0001", "20261206-0001", true},
		{"20261206-1", "20261206-0001", true},
		{"20261206-00012", "20261206-0012", true},
		{"20261206-10000", "20261206-10000", true},
		{"20261206-0000", "", false},
		{"20261306-0001", "", false}, // month 13
		{"20260230-0001", "", false}, // 30 February
		{"20261206-", "", false},
		{"20261206_0001", "", false},
		{"20261206-00a1", "", false},
		{"20261206-+1", "", false},
		{"2026126-0001", "", false},
		{"01JEXAMPLEULIDXXXXXXXXXXXX", "", false},
		{"", "", false},
		{"20261206-9999999999999", "", false}, // longer than any day holds
	} {
		got, ok := Parse(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Parse(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestFormatAndDay(t *testing.T) {
	sh, err := time.LoadLocation(DefaultZone)
	if err != nil {
		t.Fatal(err)
	}
	// 17:30 UTC on 5 December is 01:30 on 6 December in Shanghai.
	at := time.Date(2026, 12, 5, 17, 30, 0, 0, time.UTC)
	for _, tc := range []struct {
		loc  *time.Location
		seq  int64
		want string
	}{
		{sh, 1, "20261206-0001"},
		{time.UTC, 42, "20261205-0042"},
		{sh, 12345, "20261206-12345"},
	} {
		if got := Format(Day(at, tc.loc), tc.seq); got != tc.want {
			t.Errorf("Format(Day(%s, %s), %d) = %q, want %q", at, tc.loc, tc.seq, got, tc.want)
		}
	}
}

func TestIsDay(t *testing.T) {
	for in, want := range map[string]bool{"20261206": true, "20261232": false, "2026120": false, "20261206-1": false} {
		if got := IsDay(in); got != want {
			t.Errorf("IsDay(%q) = %v, want %v", in, got, want)
		}
	}
}

// FuzzParse: whatever is typed, Parse either refuses it or returns a number
// that parses to itself and starts with the typed day.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"20261206-0001", "20261206-1", "20261206-10000", "x", "20261206-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := Parse(s)
		if !ok {
			if n != "" {
				t.Fatalf("Parse(%q) refused but returned %q", s, n)
			}
			return
		}
		if again, ok := Parse(n); !ok || again != n {
			t.Fatalf("Parse(%q) = %q, which parses to %q, %v", s, n, again, ok)
		}
		if !strings.HasPrefix(n, s[:9]) {
			t.Fatalf("Parse(%q) = %q changed the day", s, n)
		}
	})
}
