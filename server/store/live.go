package store

import (
	"context"
	"time"
)

// Live lets a server see case changes that any replica made, so that the
// officers' pages update without reload also when several replicas share
// one PostgreSQL database: each replica polls the database, not only its
// own calls.
type Live interface {
	// CasesChangedSince returns the cases whose updated_at is at or after
	// since, the oldest change first (ties by id), at most limit (capped at
	// MaxLimit). A case appears once, as it is now.
	CasesChangedSince(ctx context.Context, since time.Time, limit int) ([]Case, error)
}
