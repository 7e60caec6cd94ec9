package sqlstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/xiuhua/xiuhua/server/store"
)

// SaveCorrection implements store.Store: once per event id, whether that
// id came before as a record or as a case's report.
func (s *Store) SaveCorrection(ctx context.Context, r *store.Report, gridCode string) (bool, error) {
	warn, err := json.Marshal(r.Warn)
	if err != nil {
		return false, s.errorf("corrected record %q: %w", r.EventID, err)
	}
	evidence, err := json.Marshal(NonNil(r.Evidence))
	if err != nil {
		return false, s.errorf("corrected record %q: %w", r.EventID, err)
	}
	dup := false
	err = s.db.InTx(ctx, func(tx Querier) error {
		var one int
		err := tx.QueryRow(ctx, `SELECT 1 FROM reports WHERE event_id = $1`, r.EventID).Scan(&one)
		if err == nil {
			dup = true
			return nil
		}
		if !errors.Is(err, ErrNoRows) {
			return err
		}
		n, err := tx.Exec(ctx, `INSERT INTO warn_corrections (event_id, device_id, camera_id, zone_id, rule_id,
			violation_type, grid_code, observed_at, warn, evidence, signature, signed, signature_verified, received_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
			ON CONFLICT (event_id) DO NOTHING`,
			r.EventID, r.DeviceID, r.CameraID, r.ZoneID, r.RuleID, r.ViolationType, gridCode, r.ObservedAt,
			string(warn), string(evidence), r.Signature, r.Signed, r.SignatureVerified, now())
		if err != nil || n == 0 {
			dup = n == 0
			return err
		}
		// One row per file: the sweeper finds a blob still needed by its
		// sha256, and retention purges them (outcome "corrected").
		for _, e := range r.Evidence {
			if _, err := tx.Exec(ctx, `INSERT INTO warn_correction_evidence (event_id, kind, sha256) VALUES ($1, $2, $3)`,
				r.EventID, e.Kind, e.SHA256); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return false, s.errorf("save corrected record %q: %w", r.EventID, err)
	}
	return dup, nil
}

// Autonomy implements store.Store: corrected records against reports
// filed as 已劝导未整改, by the time the violation was observed.
func (s *Store) Autonomy(ctx context.Context, q store.StatsQuery) (store.Autonomy, error) {
	out := store.Autonomy{ByType: map[string]store.AutonomyCount{}, ByGrid: map[string]store.AutonomyCount{},
		ByCamera: map[string]store.AutonomyCount{}}
	add := func(typ, grid, device, camera string, n int, corrected bool) {
		for _, m := range []struct {
			m map[string]store.AutonomyCount
			k string
		}{{out.ByType, typ}, {out.ByGrid, grid}, {out.ByCamera, device + "/" + camera}} {
			c := m.m[m.k]
			if corrected {
				c.Corrected += n
			} else {
				c.Filed += n
			}
			m.m[m.k] = c
		}
		if corrected {
			out.Total.Corrected += n
		} else {
			out.Total.Filed += n
		}
	}
	err := s.db.InReadTx(ctx, func(tx Querier) error {
		where, args := timeBounds("w.observed_at", q)
		if err := countAutonomy(ctx, tx, `SELECT w.violation_type, w.grid_code, w.device_id, w.camera_id, COUNT(*)
			FROM warn_corrections w WHERE `+where+` GROUP BY 1, 2, 3, 4`, args, true, add); err != nil {
			return fmt.Errorf("corrected records: %w", err)
		}
		where, args = timeBounds("r.observed_at", q)
		if err := countAutonomy(ctx, tx, `SELECT r.violation_type, COALESCE(c.grid_code, ''), r.device_id, r.camera_id, COUNT(*)
			FROM reports r JOIN cases c ON c.id = r.case_id
			WHERE r.warn_outcome = '`+store.WarnNotCorrected+`' AND `+where+` GROUP BY 1, 2, 3, 4`, args, false, add); err != nil {
			return fmt.Errorf("filed after warning: %w", err)
		}
		return nil
	})
	if err != nil {
		return out, s.errorf("autonomy: %w", err)
	}
	return out, nil
}

// timeBounds is the WHERE condition on col for q's range; zero ends do
// not bound.
func timeBounds(col string, q store.StatsQuery) (string, []any) {
	conds := []string{"1 = 1"}
	var args []any
	if !q.From.IsZero() {
		args = append(args, q.From)
		conds = append(conds, fmt.Sprintf("%s >= $%d", col, len(args)))
	}
	if !q.To.IsZero() {
		args = append(args, q.To)
		conds = append(conds, fmt.Sprintf("%s < $%d", col, len(args)))
	}
	return strings.Join(conds, " AND "), args
}

func countAutonomy(ctx context.Context, tx Querier, query string, args []any, corrected bool,
	add func(typ, grid, device, camera string, n int, corrected bool)) error {
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var typ, grid, device, camera string
		var n int
		if err := rows.Scan(&typ, &grid, &device, &camera, &n); err != nil {
			return err
		}
		add(typ, grid, device, camera, n, corrected)
	}
	return rows.Err()
}

// WarnJSON is a report's warn column: NULL without warn first.
func WarnJSON(w *store.Warn) (outcome string, js *string, err error) {
	if w == nil {
		return "", nil, nil
	}
	b, err := json.Marshal(w)
	if err != nil {
		return "", nil, fmt.Errorf("warn: %w", err)
	}
	s := string(b)
	return w.Outcome, &s, nil
}

// parseWarn reads a report's warn column back.
func parseWarn(js *string) (*store.Warn, error) {
	if js == nil || *js == "" {
		return nil, nil
	}
	w := &store.Warn{}
	if err := json.Unmarshal([]byte(*js), w); err != nil {
		return nil, fmt.Errorf("warn: %w", err)
	}
	return w, nil
}
