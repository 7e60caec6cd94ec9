package sqlstore

import (
	"fmt"
)

// Store implements the store.Store methods whose SQL is the same in both
// dialects. The sqlite and postgres stores embed it and add the rest.
type Store struct {
	db      DB
	name    string
	dialect Dialect
}

// Dialect is what the shared queries need to know of a dialect beyond the
// Querier: the few expressions whose text differs.
type Dialect struct {
	// Day is the SQL expression for the calendar day, as YYYY-MM-DD, of the
	// time column col moved by offsetSeconds.
	Day func(col string, offsetSeconds int64) string
	// Seconds is the SQL expression for the seconds from time a to time b,
	// a floating-point number.
	Seconds func(a, b string) string
	// FiguresSetup, when not empty, runs in CaseFigures' read transaction
	// before its statement.
	FiguresSetup string
	// Epoch is the SQL expression for the time column col as whole
	// seconds since 1970 (an integer), for ordering by a computed time.
	Epoch func(col string) string
	// IsUnique reports a PRIMARY KEY or UNIQUE clash (false for nil).
	IsUnique func(err error) bool
}

// New returns a Store on db. name ("sqlite", "postgres") starts its error
// messages, as the backends' own do.
func New(db DB, name string, d Dialect) *Store {
	return &Store{db: db, name: name, dialect: d}
}

// errorf is fmt.Errorf with the backend's name in front.
func (s *Store) errorf(format string, args ...any) error {
	return fmt.Errorf(s.name+": "+format, args...)
}
