package web

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/store"
)

// TestWarnFirstInCaseAndStats: a case filed after a warning shows the
// warning in its report and 已劝导未整改 in its trail; a corrected record
// opens no case; /api/v1/stats and the statistics page give 自治率 by
// type, grid cell and camera.
func TestWarnFirstInCaseAndStats(t *testing.T) {
	e := newEnv(t)
	inCell := &store.GeoPoint{Lat: 31.2305, Lon: 121.4705} // 310101001001
	warned := func(outcome string) *store.Warn {
		return &store.Warn{Outcome: outcome, Reason: "r",
			Warnings: []store.Warning{{At: observed.Add(time.Second), Player: "backchannel", OK: true}}}
	}
	snap := e.put(t, "snapshot.jpg", store.KindSnapshot, "image/jpeg", []byte("snapshot"))
	ann := e.put(t, "annotated.jpg", store.KindAnnotated, "image/jpeg", []byte("annotated"))
	after := e.put(t, "after_grace.jpg", store.KindAfterGrace, "image/jpeg", []byte("after"))
	id := e.addCase(t, "w-filed", func(r *store.Report) { r.Location, r.Warn = inCell, warned(store.WarnNotCorrected) },
		snap, ann, after)
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

	reviewer := e.signIn(t, "li", cases.RoleReviewer)
	page := func(path string) string {
		resp, err := reviewer.c.Get(reviewer.base + path)
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return string(b)
	}
	p := page("/stats")
	for _, want := range []string{"自治率 75%：自行整改 3 起，已劝导未整改立案 1 起", `id="autonomy-by-camera"`,
		"<td>edge-01/cam-7</td><td>3</td><td>1</td><td>75%</td>", "<td>310101001001</td>"} {
		require.Contains(t, p, want)
	}
	// The case page: the after-grace picture beside the annotated one,
	// and the warning in the trail.
	p = page("/cases/" + id)
	ann1, grace, raw := strings.Index(p, `alt="标注图"`), strings.Index(p, `<figure class="after-grace">`), strings.Index(p, `alt="原图"`)
	require.True(t, ann1 >= 0 && ann1 < grace && grace < raw, "annotated, after grace, raw: %d %d %d", ann1, grace, raw)
	require.Contains(t, p, `<img src="/evidence/`+after.SHA256+`" alt="劝导后复查仍在">`)
	require.Contains(t, p, "劝导后复查仍在")
	require.Contains(t, p, `data-action="warned"`)
	require.Contains(t, p, "已劝导未整改 (warned, not corrected); warning")
}
