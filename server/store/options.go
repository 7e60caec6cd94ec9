package store

import (
	"time"

	"github.com/xiuhua/xiuhua/server/store/casenum"
)

// Options are what a backend's Open takes beside where its database is.
type Options struct {
	// NumberZone is the zone whose days number the cases (web.time_zone);
	// nil is casenum.DefaultZone.
	NumberZone *time.Location
}

// Option sets one of Options.
type Option func(*Options)

// WithNumberZone counts case numbers by the days of loc.
func WithNumberZone(loc *time.Location) Option { return func(o *Options) { o.NumberZone = loc } }

// ApplyOptions returns the Options that opts set, defaults filled in.
func ApplyOptions(opts []Option) Options {
	var o Options
	for _, f := range opts {
		f(&o)
	}
	if o.NumberZone == nil {
		loc, err := time.LoadLocation(casenum.DefaultZone)
		if err != nil {
			// No zone database on the machine: China Standard Time has
			// had no daylight saving since 1991.
			loc = time.FixedZone("CST", 8*3600)
		}
		o.NumberZone = loc
	}
	return o
}

// NextNumberSQL takes the next sequence number of day ($1, YYYYMMDD) for a
// case being opened, in the opening's transaction: the same statement in
// both dialects. On PostgreSQL the upsert's row lock makes concurrent
// openings of one day take turns until the first commits.
const NextNumberSQL = `INSERT INTO case_number_days (day, last) VALUES ($1, 1)
	ON CONFLICT (day) DO UPDATE SET last = case_number_days.last + 1 RETURNING last`
