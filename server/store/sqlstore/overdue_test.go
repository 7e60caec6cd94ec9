package sqlstore

import (
	"errors"
	"testing"
	"time"

	"github.com/xiuhua/xiuhua/server/store"
	"github.com/xiuhua/xiuhua/server/store/caseid"
)

// FuzzOverdueCursor: any text is either refused as store.ErrBadCursor or
// read as a due time and a valid case id; a cursor the store made reads
// back as what it was made from.
func FuzzOverdueCursor(f *testing.F) {
	id := caseid.NewGen().Next(time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC))
	o := &store.OverdueFilter{Deadlines: map[string]time.Duration{"filed": time.Hour}}
	made := overdueCursor(store.Case{ID: id, Status: "filed", StatusSince: time.Unix(1_800_000_000, 0)}, o)
	for _, s := range []string{made, "", "!!", "eA", "MTIzOmFiYw", "LTE6", "OTk5OTk5OTk5OTk5OTk5OTk5OTk5Og"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, cur string) {
		due, got, err := parseOverdueCursor(cur)
		if err != nil {
			if !errors.Is(err, store.ErrBadCursor) {
				t.Fatalf("%q: %v, not ErrBadCursor", cur, err)
			}
			return
		}
		if !caseid.Valid(got) {
			t.Fatalf("%q: read an invalid id %q", cur, got)
		}
		if cur == made && (due != 1_800_000_000+3600 || got != id) {
			t.Fatalf("the store's own cursor read back as %d %q", due, got)
		}
	})
}
