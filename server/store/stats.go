package store

import "time"

// StatsQuery selects the cases Stats counts: created in [From, To), zero
// times not bounding. Days are cut at midnight of a zone DayOffset east of
// UTC (8h for China Standard Time).
type StatsQuery struct {
	From, To  time.Time
	DayOffset time.Duration
}

// Stats are case counts. Every map holds only non-zero counts.
type Stats struct {
	Total    int
	ByType   map[string]int
	ByStatus map[string]int
	ByGrid   map[string]int // by grid code; "" for cases without a cell
	ByDay    map[string]int // by "2006-01-02"
}
