package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/store"
)

// figureEnv has two filed cases: A closed with every stage in time (30
// minutes to be filed), B filed after 10 minutes and waiting since.
func figureEnv(t *testing.T) *env {
	e := newEnv(t)
	ctx := context.Background()
	steps := [][3]string{{"pending_review", "filed", "file"}, {"filed", "dispatched", "dispatch"}, {"dispatched", "handling", "accept"},
		{"handling", "reported", "report"}, {"reported", "verified", "verify"}, {"verified", "closed", "close"}}
	for i, n := range []int{6, 1} {
		id := e.addCase(t, []string{"fig-a", "fig-b"}[i], nil)
		c, err := e.store.GetCase(ctx, id)
		require.NoError(t, err)
		at := c.CreatedAt
		for k, st := range steps[:n] {
			d := 30 * time.Minute
			if i == 1 {
				d = 10 * time.Minute
			}
			require.NoError(t, e.store.Transition(ctx, store.Transition{CaseID: id, Version: k + 1, From: st[0], To: st[1],
				Action: st[2], Actor: "x", Role: "admin", At: at.Add(time.Duration(k+1) * d)}))
		}
	}
	return e
}

func TestFiguresAPI(t *testing.T) {
	e := figureEnv(t)
	resp, body := e.get(t, "/api/v1/stats?period=week")
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	st := decode[StatsJSON](t, body)
	f := st.Figures
	require.Equal(t, "week", f.Period)
	require.Equal(t, 2, f.Total.Filed)
	require.Equal(t, 1, f.Total.Closed)
	require.InDelta(t, 0.5, f.Total.ClosedRate, 1e-9)
	require.Equal(t, 1, f.Total.ClosedOnTime)
	require.InDelta(t, 1, f.Total.OnTimeRate, 1e-9)
	require.Len(t, f.Total.Stages, 6)
	require.Equal(t, "pending_review", f.Total.Stages[0].Stage)
	require.Equal(t, 2, f.Total.Stages[0].Cases)
	require.InDelta(t, 20*60, f.Total.Stages[0].MeanSeconds, 1, "30 and 10 minutes to be filed")
	require.Equal(t, 1, f.Total.Stages[5].Cases, "only A was verified and closed")
	require.InDelta(t, 30*60, f.Total.Stages[5].MeanSeconds, 1)
	filed := 0
	for _, p := range f.Periods {
		d, err := time.Parse("2006-01-02", p.Period)
		require.NoError(t, err, "a week is named by its Monday: %q", p.Period)
		require.Equal(t, time.Monday, d.Weekday(), p.Period)
		filed += p.Filed
	}
	require.Equal(t, 2, filed)
	require.Equal(t, 1, sumClosed(st.Figures.ByUnit))

	resp, body = e.get(t, "/api/v1/stats")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "month", decode[StatsJSON](t, body).Figures.Period)
	resp, body = e.get(t, "/api/v1/stats?period=day")
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	require.Contains(t, string(body), "allowed: week, month")
}

func sumClosed(m map[string]FigureJSON) int {
	n := 0
	for _, f := range m {
		n += f.Closed
	}
	return n
}

// TestFiguresPage: the 统计 page shows the figures as tables with the
// week/month switch, and the CSV holds the same numbers.
func TestFiguresPage(t *testing.T) {
	e := figureEnv(t)
	resp, body := e.get(t, "/stats?period=week")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	page := string(body)
	for _, want := range []string{"结案率", "按期结案率", "超期数", "发现→立案", "核查→结案", `id="figures-periods"`, `id="figures-units"`,
		`id="figures-grids"`, `<dd data-k="filed">2</dd>`, `<dd data-k="closed_rate">50.0%</dd>`, `<dd data-k="on_time_rate">100.0%</dd>`,
		`id="period-week" class="period on"`, "起一周", `href="/stats.csv?period=week"`} {
		require.Contains(t, page, want)
	}
	_, body = e.get(t, "/stats")
	require.Contains(t, string(body), `id="period-month" class="period on"`)
	_, body = e.get(t, "/stats?lang=en&period=week")
	for _, want := range []string{"Closure rate", "On-time rate", "Found → filed", "week of "} {
		require.Contains(t, string(body), want)
	}

	resp, body = e.get(t, "/stats.csv?period=month")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "text/csv; charset=utf-8", resp.Header.Get("Content-Type"))
	lines := strings.Split(strings.TrimPrefix(string(body), "\ufeff"), "\n")
	require.True(t, strings.HasPrefix(lines[0], "分组,,立案数,结案数,结案率,"), lines[0])
	require.True(t, strings.HasPrefix(lines[1], "合计,,2,1,50.0%,1,100.0%,"), lines[1])
	resp, _ = e.get(t, "/stats.csv?period=year")
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
}
