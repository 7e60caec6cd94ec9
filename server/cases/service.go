package cases

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/xiuhua/xiuhua/server/store"
)

// Config is the case logic's configuration; the server's config package
// fills it from the YAML file.
type Config struct {
	// Deadlines by status: how long a case may stay there.
	Deadlines map[string]time.Duration
	// EventCodes by violation type. A type missing here gets empty codes.
	EventCodes map[string]EventCode
	Merge      Merge
	// Grid places a new case in its grid cell; nil leaves cases without.
	Grid Locator
	// Address, when set, names a new case's place in words (the nearest
	// street); it runs inside the report's transaction, so it must be
	// fast and must not call out.
	Address func(lat, lon float64) string
	// Opened, when set, is told of each case opened with a position (the
	// address hook queues it); it runs inside the report's transaction,
	// which may still roll back, and must not block.
	Opened func(id string, lat, lon float64)
	// Events names who wants case events; nil writes none.
	Events Events
	// Units are the units a case may be dispatched to (units.go); a
	// dispatch to any other is refused.
	Units []Unit
}

// Locator finds the grid cell of a WGS-84 point: its code and the unit
// responsible for it.
type Locator func(lat, lon float64) (code, unit string, ok bool)

// DefaultConfig is the shipped configuration.
func DefaultConfig() Config {
	return Config{Deadlines: DefaultDeadlines(), EventCodes: DefaultEventCodes(), Merge: DefaultMerge()}
}

// Service is the case logic in front of the store.
type Service struct {
	store store.Store
	cfg   Config
	now   func() time.Time
}

// New returns a Service on st. Maps in cfg are copied.
func New(st store.Store, cfg Config) *Service {
	cfg.Deadlines = maps.Clone(cfg.Deadlines)
	cfg.EventCodes = maps.Clone(cfg.EventCodes)
	cfg.Merge.Types = slices.Clone(cfg.Merge.Types)
	cfg.Units = slices.Clone(cfg.Units)
	return &Service{store: st, cfg: cfg, now: time.Now}
}

// EventCode returns the platform's code for a violation type.
func (s *Service) EventCode(violationType string) (EventCode, bool) {
	c, ok := s.cfg.EventCodes[violationType]
	return c, ok
}

// Record stores a report and files it into a case in one transaction. For
// an event id stored before it stores nothing and returns that report's case
// with duplicate true.
func (s *Service) Record(ctx context.Context, r *store.Report) (caseID string, duplicate bool, err error) {
	return s.store.SaveReport(ctx, r, s.Assign)
}

// Assign decides which case a new report belongs to; it runs inside the
// store's report transaction. A report of a merging type joins the newest
// matching open case, or, failing that, is suppressed by the newest
// matching rejected one; otherwise it opens a case of its own.
func (s *Service) Assign(ctx context.Context, tx store.CaseTx, r *store.Report) (string, error) {
	if s.cfg.Merge.Applies(r.ViolationType) {
		k, found, err := s.match(ctx, tx, r)
		if err != nil {
			return "", err
		}
		if found {
			kind := EventMerged
			if r.Suppressed {
				kind = EventSuppressed
			}
			if err := s.emit(ctx, tx, reportEvent(kind, k.ID, k.Status, r, nil, s.now())); err != nil {
				return "", err
			}
			return k.ID, nil
		}
	}
	code := s.cfg.EventCodes[r.ViolationType]
	nc := store.NewCase{
		Status:          StatusPendingReview,
		ViolationType:   r.ViolationType,
		DeviceID:        r.DeviceID,
		CameraID:        r.CameraID,
		ZoneID:          r.ZoneID,
		RuleID:          r.RuleID,
		CategoryCode:    code.Category,
		SubcategoryCode: code.Subcategory,
		Location:        r.Location,
	}
	if r.Location != nil && s.cfg.Grid != nil {
		nc.GridCode, nc.Unit, _ = s.cfg.Grid(r.Location.Lat, r.Location.Lon)
	}
	if r.Location != nil && s.cfg.Address != nil {
		nc.Address = s.cfg.Address(r.Location.Lat, r.Location.Lon)
	}
	id, err := tx.OpenCase(ctx, nc)
	if err != nil {
		return "", err
	}
	if r.Location != nil && s.cfg.Opened != nil {
		s.cfg.Opened(id, r.Location.Lat, r.Location.Lon)
	}
	if err := s.emit(ctx, tx, reportEvent(EventCreated, id, nc.Status, r, &nc, s.now())); err != nil {
		return "", err
	}
	return id, nil
}

// match returns the case r joins, with found false for none.
func (s *Service) match(ctx context.Context, tx store.CaseTx, r *store.Report) (k store.Candidate, found bool, err error) {
	m := s.cfg.Merge
	// Serialise with other reports of this place, so that two arriving
	// at once cannot both open a case. Two places sharing a key (an id
	// with "|" in it) only queue behind each other.
	if err := tx.LockPlace(ctx, r.DeviceID+"|"+r.CameraID+"|"+r.ZoneID+"|"+r.ViolationType); err != nil {
		return k, false, err
	}
	suppressSince := r.ObservedAt.Add(-m.Suppress)
	if m.Suppress <= 0 {
		suppressSince = r.ObservedAt.Add(100 * 365 * 24 * time.Hour) // none
	}
	var open []string
	for _, st := range Statuses {
		if Open(st) {
			open = append(open, st)
		}
	}
	cands, err := tx.Candidates(ctx, store.CandidateQuery{
		DeviceID: r.DeviceID, CameraID: r.CameraID, ZoneID: r.ZoneID, ViolationType: r.ViolationType,
		OpenStatuses: open, SeenSince: r.ObservedAt.Add(-m.Window),
		SuppressStatus: StatusRejected, SuppressSince: suppressSince,
	})
	if err != nil {
		return k, false, err
	}
	// An open case wins over a rejection: someone is already acting there.
	for _, c := range cands {
		if c.Status != StatusRejected && m.Matches(r, c) {
			return c, true, nil
		}
	}
	for _, c := range cands {
		if c.Status == StatusRejected && m.Matches(r, c) {
			r.Suppressed = true
			return c, true, nil
		}
	}
	return k, false, nil
}
