package pipeline

import (
	"image"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/edge/detect"
	"github.com/xiuhua/xiuhua/edge/rules"
	"github.com/xiuhua/xiuhua/edge/track"
	"github.com/xiuhua/xiuhua/hack/stage/paste"
	"github.com/xiuhua/xiuhua/internal/testdata"
)

// chair is a chair cut from a COCO living-room picture, put on the lawn at
// the bottom left of vtest.avi from 10 s to 70 s: a vendor's seat left on
// the pavement.
func chair(t *testing.T) paste.Object {
	return paste.Object{
		Image: testdata.Path(t, "images", "000000000139.jpg"),
		Crop:  image.Rect(370, 210, 446, 320),
		Scale: 1.6, // as large as a chair this near the camera would look
		At:    image.Pt(30, 384),
		From:  10 * time.Second,
		For:   60 * time.Second,
	}
}

var (
	stagedOnce sync.Once
	stagedDir  string
)

// staged writes the staged video (or, without the object, the control)
// once per test binary.
func staged(t *testing.T) (withChair, control string) {
	t.Helper()
	stagedOnce.Do(func() {
		dir, err := tempDirForPackage()
		require.NoError(t, err)
		vtest := testdata.Path(t, "media", "vtest.avi")
		require.NoError(t, paste.Video(vtest, filepath.Join(dir, "chair.avi"), chair(t)))
		require.NoError(t, paste.Video(vtest, filepath.Join(dir, "control.avi"), paste.Object{}))
		stagedDir = dir
	})
	require.NotEmpty(t, stagedDir, "staging failed in an earlier test")
	return filepath.Join(stagedDir, "chair.avi"), filepath.Join(stagedDir, "control.avi")
}

var vendingZone = rules.Zone{ID: "kerb", Polygon: []rules.Point{{X: 0, Y: 0.68}, {X: 0.25, Y: 0.68}, {X: 0.25, Y: 1}, {X: 0, Y: 1}}}

func vendingRule() rules.Rule {
	return rules.Rule{ID: "vending", Type: "street_vending", MinScore: 0.3,
		Classes: rules.DefaultClasses("street_vending", []string{"umbrella", "dining table", "chair", "bench", "suitcase"}),
		Dwell:   30 * time.Second, MaxMotion: 0.5, GapTolerance: 5 * time.Second, Cooldown: 10 * time.Minute}
}

// TestStagedStreetVending: a chair pasted into the zone for 60 s gives
// exactly one street_vending violation with the configured dwell and a
// box on the chair; the same video without it gives none.
func TestStagedStreetVending(t *testing.T) {
	withChair, control := staged(t)
	zones := []rules.ZoneRules{{Zone: vendingZone, Rules: []rules.Rule{vendingRule()}}}

	vs := replay(detections(t, withChair), zones)
	require.Len(t, vs, 1, "violations on the staged video")
	v := vs[0]
	require.Equal(t, "street_vending", v.Rule.Type)
	require.GreaterOrEqual(t, v.Dwell(), 30*time.Second)
	r := chair(t).Rect()
	pasted := detect.Box{X1: float32(r.Min.X), Y1: float32(r.Min.Y), X2: float32(r.Max.X), Y2: float32(r.Max.Y)}
	iou := track.IoU(v.Track.Box, pasted)
	t.Logf("violation: %s dwell %v score %.2f box %v, IoU with the pasted chair %.2f", v.Track.Class, v.Dwell(), v.Track.Score, v.Track.Box, iou)
	require.GreaterOrEqual(t, iou, float32(0.5))

	require.Empty(t, replay(detections(t, control), zones), "violations on the unstaged video")
}
