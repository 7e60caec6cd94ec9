package cases

import (
	"context"
	"errors"

	"github.com/xiuhua/xiuhua/server/store"
)

// RecordCorrected keeps a "corrected after warning" record (自治): a
// violation the edge warned about that was gone at its second look. It
// opens no case, but is counted in the autonomy statistics by type, grid
// cell and camera, so it is placed in its grid cell like a case would be.
// An event id stored before, as a record or as a case's report, stores
// nothing and gives duplicate true.
func (s *Service) RecordCorrected(ctx context.Context, r *store.Report) (duplicate bool, err error) {
	if r.Warn == nil || r.Warn.Outcome != store.WarnCorrected {
		return false, errors.New("not a corrected record")
	}
	if _, err := s.store.ReportCase(ctx, r.EventID); err == nil {
		return true, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return false, err
	}
	var grid string
	if r.Location != nil && s.cfg.Grid != nil {
		grid, _, _ = s.cfg.Grid(r.Location.Lat, r.Location.Lon)
	}
	return s.store.SaveCorrection(ctx, r, grid)
}
