package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/xiuhua/xiuhua/server/store"
)

// LockPlace implements store.MergeTx. SQLite write transactions begin
// IMMEDIATE and so already run one at a time: nothing more to lock.
func (c *caseTx) LockPlace(context.Context, string) error { return nil }

// Candidates implements store.MergeTx.
func (c *caseTx) Candidates(ctx context.Context, q store.CandidateQuery) ([]store.Candidate, error) {
	args := []any{q.DeviceID, q.CameraID, q.ZoneID, q.ViolationType}
	marks := make([]string, len(q.OpenStatuses))
	for i, st := range q.OpenStatuses {
		marks[i] = "?"
		args = append(args, st)
	}
	if len(marks) == 0 {
		marks = []string{"NULL"}
	}
	args = append(args, formatTime(q.SeenSince), q.SuppressStatus, formatTime(q.SuppressSince), store.MaxCandidates)
	rows, err := c.tx.QueryContext(ctx, `SELECT c.id, c.status, c.last_seen, c.status_since,
			r.detections, r.lat, r.lon, r.frame_width, r.frame_height
		FROM cases c JOIN reports r ON r.id = (SELECT MAX(id) FROM reports WHERE case_id = c.id)
		WHERE c.device_id = ? AND c.camera_id = ? AND c.zone_id = ? AND c.violation_type = ?
		  AND ((c.status IN (`+strings.Join(marks, ", ")+`) AND c.last_seen >= ?)
		    OR (c.status = ? AND c.status_since >= ?))
		ORDER BY c.id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: merge candidates: %w", err)
	}
	defer rows.Close()
	var out []store.Candidate
	for rows.Next() {
		var (
			k               store.Candidate
			lastSeen, since string
			detections      string
			lat, lon        sql.NullFloat64
		)
		if err := rows.Scan(&k.ID, &k.Status, &lastSeen, &since, &detections, &lat, &lon, &k.FrameWidth, &k.FrameHeight); err != nil {
			return nil, fmt.Errorf("sqlite: merge candidates: %w", err)
		}
		if k.LastSeen, err = parseTime(lastSeen); err != nil {
			return nil, err
		}
		if k.StatusSince, err = parseTime(since); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(detections), &k.Detections); err != nil {
			return nil, fmt.Errorf("sqlite: merge candidates: case %s detections: %w", k.ID, err)
		}
		if lat.Valid && lon.Valid {
			k.Location = &store.GeoPoint{Lat: lat.Float64, Lon: lon.Float64}
		}
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: merge candidates: %w", err)
	}
	return out, nil
}
