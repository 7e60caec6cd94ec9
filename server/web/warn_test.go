package web

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/store"
)

// TestWarnFirstInCaseAndStats: a case filed after a warning shows the
// warning in its report and 已劝导未整改 in its trail; a corrected record
// opens no case; /api/v1/stats gives 自治率 by type, grid cell and camera.
func TestWarnFirstInCaseAndStats(t *testing.T) {
	e := newEnv(t)
	inCell := &store.GeoPoint{Lat: 31.2305, Lon: 121.4705} // 310101001001
	warned := func(outcome string) *store.Warn {
		return &store.Warn{Outcome: outcome, Reason: "r",
			Warnings: []store.Warning{{At: observed.Add(time.Second), Player: "backchannel", OK: true}}}
	}
	id := e.addCase(t, "w-filed", func(r *store.Report) { r.Location, r.Warn = inCell, warned(store.WarnNotCorrected) })
	for _, ev := range []string{"w-ok-1", "w-ok-2", "w-ok-3"} {
		dup, err := e.cases.RecordCorrected(context.Background(), &store.Report{EventID: ev, DeviceID: "edge-01",
			CameraID: "cam-7", ViolationType: "street_vending", ObservedAt: observed, Location: inCell,
			Warn: warned(store.WarnCorrected)})
		require.NoError(t, err)
		require.False(t, dup)
	}

	resp, body := e.get(t, "/api/v1/cases/"+id)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
	d := decode[CaseDetailJSON](t, body)
	require.NotNil(t, d.Reports[0].Warn)
	require.Equal(t, "backchannel", d.Reports[0].Warn.Warnings[0].Player)
	require.Equal(t, store.ActionWarned, d.Audit[len(d.Audit)-1].Action)
	require.Contains(t, d.Audit[len(d.Audit)-1].Comment, "已劝导未整改")

	_, body = e.get(t, "/api/v1/stats")
	st := decode[StatsJSON](t, body)
	require.Equal(t, 1, st.Total, "the corrected records are no cases")
	a := st.Autonomy
	require.Equal(t, AutonomyRateJSON{Corrected: 3, Filed: 1, Rate: 0.75}, a.AutonomyRateJSON)
	require.Equal(t, AutonomyRateJSON{Corrected: 3, Filed: 1, Rate: 0.75}, a.ByType["street_vending"])
	require.Equal(t, AutonomyRateJSON{Corrected: 3, Filed: 1, Rate: 0.75}, a.ByGrid["310101001001"])
	require.Equal(t, AutonomyRateJSON{Corrected: 3, Filed: 1, Rate: 0.75}, a.ByCamera["edge-01/cam-7"])
}
