package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/xiuhua/xiuhua/server/store"
)

// LockPlace implements store.MergeTx with a transaction-scoped advisory
// lock: two replicas assigning reports of the same place queue here, and the
// second then sees the case the first opened.
func (c *caseTx) LockPlace(ctx context.Context, key string) error {
	if _, err := c.tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('xiuhua_place:' || $1))`, key); err != nil {
		return fmt.Errorf("postgres: lock place: %w", err)
	}
	return nil
}

// Candidates implements store.MergeTx.
func (c *caseTx) Candidates(ctx context.Context, q store.CandidateQuery) ([]store.Candidate, error) {
	open := q.OpenStatuses
	if open == nil {
		open = []string{}
	}
	rows, err := c.tx.Query(ctx, `SELECT c.id, c.status, c.last_seen, c.status_since,
			r.detections, r.lat, r.lon, r.frame_width, r.frame_height
		FROM cases c JOIN reports r ON r.id = (SELECT MAX(id) FROM reports WHERE case_id = c.id)
		WHERE c.device_id = $9 AND c.camera_id = $1 AND c.zone_id = $2 AND c.violation_type = $3
		  AND ((c.status = ANY($4) AND c.last_seen >= $5) OR (c.status = $6 AND c.status_since >= $7))
		ORDER BY c.id DESC LIMIT $8`,
		q.CameraID, q.ZoneID, q.ViolationType, open, q.SeenSince, q.SuppressStatus, q.SuppressSince, store.MaxCandidates, q.DeviceID)
	if err != nil {
		return nil, fmt.Errorf("postgres: merge candidates: %w", err)
	}
	defer rows.Close()
	var out []store.Candidate
	for rows.Next() {
		var (
			k               store.Candidate
			lastSeen, since time.Time
			detections      string
			lat, lon        *float64
		)
		if err := rows.Scan(&k.ID, &k.Status, &lastSeen, &since, &detections, &lat, &lon, &k.FrameWidth, &k.FrameHeight); err != nil {
			return nil, fmt.Errorf("postgres: merge candidates: %w", err)
		}
		k.LastSeen, k.StatusSince = utc(lastSeen), utc(since)
		if err := json.Unmarshal([]byte(detections), &k.Detections); err != nil {
			return nil, fmt.Errorf("postgres: merge candidates: case %s detections: %w", k.ID, err)
		}
		if lat != nil && lon != nil {
			k.Location = &store.GeoPoint{Lat: *lat, Lon: *lon}
		}
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: merge candidates: %w", err)
	}
	return out, nil
}
