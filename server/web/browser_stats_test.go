package web

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/internal/browsertest"
	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/store"
)

// TestBrowserStats runs hack/browser/stats.mjs: the centre's figures and
// case numbers in headless Chromium, desktop and phone. The server's clock
// runs five hours ahead, so that the seeded steps, dated after the cases'
// openings, are in its past: A went through every stage in 30 minutes
// each and was closed; B was filed after 10 minutes and has waited for
// dispatch since (over its one-hour deadline). Screenshots go to
// hack/browser/artefacts/stats.
func TestBrowserStats(t *testing.T) {
	browsertest.Check(t)
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	e := newEnvWith(t, func(o *Options) {
		o.Location = shanghai
		o.Now = func() time.Time { return time.Now().Add(5 * time.Hour) }
	}, nil)
	ctx := context.Background()
	require.NoError(t, e.auth.AddUser(ctx, "li", cases.RoleReviewer, browserPassword))
	steps := [][3]string{{"pending_review", "filed", "file"}, {"filed", "dispatched", "dispatch"}, {"dispatched", "handling", "accept"},
		{"handling", "reported", "report"}, {"reported", "verified", "verify"}, {"verified", "closed", "close"}}
	type numbered struct {
		ID     string `json:"id"`
		Number string `json:"number"`
	}
	seed := func(event string, n int, every time.Duration) numbered {
		id := e.addCase(t, event, func(r *store.Report) { r.Location = &store.GeoPoint{Lat: 31.2305, Lon: 121.4705} })
		c, err := e.store.GetCase(ctx, id)
		require.NoError(t, err)
		for k, st := range steps[:n] {
			require.NoError(t, e.store.Transition(ctx, store.Transition{CaseID: id, Version: k + 1, From: st[0], To: st[1],
				Action: st[2], Actor: "seed", Role: cases.RoleAdmin, At: c.CreatedAt.Add(time.Duration(k+1) * every)}))
		}
		return numbered{ID: id, Number: c.Number}
	}
	closed := seed("stats-a", 6, 30*time.Minute)
	open := seed("stats-b", 1, 10*time.Minute)
	d, err := e.store.GetCase(ctx, closed.ID)
	require.NoError(t, err)
	cj, _ := json.Marshal(map[string]numbered{"closed": closed, "open": open})
	ej, _ := json.Marshal(map[string]any{
		"kpis": map[string]string{"filed": "2", "closed": "1", "closed_rate": "50.0%", "on_time_rate": "100.0%",
			"overdue": "1", "overdue_open": "1", "backlog": "1"},
		"firstStage": "20分00秒", // (30 + 10) / 2 minutes
		"unit":       d.Unit,
		"month":      d.CreatedAt.In(shanghai).Format("2006-01"),
	})
	browsertest.Run(t, "stats", 3*time.Minute, map[string]string{
		"XIUHUA_BASE_URL": e.srv.URL,
		"XIUHUA_PASSWORD": browserPassword,
		"XIUHUA_CASES":    string(cj),
		"XIUHUA_EXPECT":   string(ej),
	})
}
