package pipeline

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gocv.io/x/gocv"

	"github.com/xiuhua/xiuhua/edge/detect"
	"github.com/xiuhua/xiuhua/edge/rules"
	"github.com/xiuhua/xiuhua/edge/track"
	"github.com/xiuhua/xiuhua/edge/vision"
	"github.com/xiuhua/xiuhua/internal/testdata"
)

// look is what the real model saw in one sampled frame of vtest.avi.
type look struct {
	at   time.Time
	dets []vision.Detection
}

var (
	videoMu    sync.Mutex
	videoLooks = map[string][]look{}
)

// detections runs YOLOX-Nano over a video at 2 frames a second of video
// time, once per video for all tests of the package.
func detections(t *testing.T, video string) []look {
	t.Helper()
	videoMu.Lock()
	defer videoMu.Unlock()
	if l, ok := videoLooks[video]; ok {
		return l
	}
	l, err := detectVideo(video, testdata.Path(t, "models"))
	require.NoError(t, err, "detect %s", video)
	videoLooks[video] = l
	return l
}

func vtestDetections(t *testing.T) []look {
	return detections(t, testdata.Path(t, "media", "vtest.avi"))
}

func detectVideo(video, modelDir string) ([]look, error) {
	det, err := openDetector(modelDir)
	if err != nil {
		return nil, err
	}
	defer det.Close()
	vc, err := gocv.VideoCaptureFile(video)
	if err != nil {
		return nil, err
	}
	defer vc.Close()
	frame := gocv.NewMat()
	defer frame.Close()
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC) // 10:00 UTC
	const fps, every = 10, 5                             // vtest.avi is 10 fps; look twice a second
	var looks []look
	for i := 0; vc.Read(&frame); i++ {
		if i%every != 0 {
			continue
		}
		dets, err := det.Detect(frame)
		if err != nil {
			return nil, err
		}
		looks = append(looks, look{at: t0.Add(time.Duration(i) * time.Second / fps), dets: dets})
	}
	return looks, nil
}

// openDetector opens the shipped YOLOX-Nano manifest with the test data's
// weights.
func openDetector(modelDir string) (detect.Detector, error) {
	root, err := testdata.RepoRoot()
	if err != nil {
		return nil, err
	}
	yml, err := os.ReadFile(filepath.Join(root, "models", "yolox-nano.yaml"))
	if err != nil {
		return nil, err
	}
	m, err := detect.ParseManifest(yml, modelDir)
	if err != nil {
		return nil, err
	}
	return detect.Open(m, detect.Options{})
}

// replay runs the tracker and a rules engine over the looks.
func replay(looks []look, zones []rules.ZoneRules) []rules.Violation {
	tr := track.New(3 * time.Second)
	e := rules.NewEngine(zones)
	var out []rules.Violation
	for _, l := range looks {
		out = append(out, e.Observe(l.at, 768, 576, tr.Update(l.at, l.dets))...)
	}
	return out
}

var (
	wholeFrame = rules.Zone{ID: "plaza", Polygon: []rules.Point{{X: 0, Y: 0}, {X: 1, Y: 0}, {X: 1, Y: 1}, {X: 0, Y: 1}}}
	// grass is the lawn at the bottom left of vtest.avi, which nobody
	// crosses.
	grass = rules.Zone{ID: "grass", Polygon: []rules.Point{{X: 0, Y: 0.8}, {X: 0.12, Y: 0.8}, {X: 0.12, Y: 1}, {X: 0, Y: 1}}}
)

func lingerRule(f func(*rules.Rule)) rules.Rule {
	r := rules.Rule{ID: "linger", Type: "demo_linger", Classes: []string{"person"}, MinScore: 0.4,
		Dwell: 10 * time.Second, GapTolerance: 3 * time.Second}
	if f != nil {
		f(&r)
	}
	return r
}

// TestScenariosOnRealVideo drives the tracker and the rules with what the
// real model sees in vtest.avi, people crossing a plaza.
func TestScenariosOnRealVideo(t *testing.T) {
	looks := vtestDetections(t)
	require.Greater(t, len(looks), 150, "vtest.avi at 2 looks a second")

	t.Run("people who linger give violations with their dwell", func(t *testing.T) {
		vs := replay(looks, []rules.ZoneRules{{Zone: wholeFrame, Rules: []rules.Rule{lingerRule(nil)}}})
		t.Logf("%d violations", len(vs))
		require.NotEmpty(t, vs)
		for _, v := range vs {
			require.GreaterOrEqual(t, v.Dwell(), 10*time.Second)
			require.Less(t, v.Dwell(), 11*time.Second, "fired late: looks are half a second apart")
			require.Equal(t, "person", v.Object.Class)
		}
	})
	t.Run("a zone nobody enters gives none", func(t *testing.T) {
		for _, l := range looks {
			for _, d := range l.dets {
				if d.Class == "person" && d.Score >= 0.4 {
					require.False(t, grass.Covers(d.Box, 768, 576), "premise: someone stood on the grass at %v", l.at)
				}
			}
		}
		require.Empty(t, replay(looks, []rules.ZoneRules{{Zone: grass, Rules: []rules.Rule{lingerRule(nil)}}}))
	})
	t.Run("passing through is not standing still", func(t *testing.T) {
		// The model takes a post at the top left for a person; it stands
		// perfectly still. An ignore mask is what an operator uses for it.
		plaza := wholeFrame
		plaza.Ignore = [][]rules.Point{{{X: 0, Y: 0.1}, {X: 0.12, Y: 0.1}, {X: 0.12, Y: 0.3}, {X: 0, Y: 0.3}}}
		vs := replay(looks, []rules.ZoneRules{{Zone: plaza, Rules: []rules.Rule{lingerRule(func(r *rules.Rule) {
			r.MaxMotion = 0.5
			r.Dwell = 15 * time.Second
		})}}})
		require.Empty(t, vs, "pedestrians walking across the plaza counted as stationary")
		// And the post is what the stationary rule does catch.
		post := replay(looks, []rules.ZoneRules{{Zone: wholeFrame, Rules: []rules.Rule{lingerRule(func(r *rules.Rule) {
			r.MaxMotion = 0.5
			r.Dwell = 15 * time.Second
		})}}})
		require.NotEmpty(t, post)
		for _, v := range post {
			require.Less(t, v.Object.Box.X2, float32(0.12*768), "a stationary object outside the post's corner")
		}
	})
	t.Run("allowed hours suppress", func(t *testing.T) {
		vs := replay(looks, []rules.ZoneRules{{Zone: wholeFrame, Rules: []rules.Rule{lingerRule(func(r *rules.Rule) {
			r.Allowed = []rules.Hours{{From: 9 * time.Hour, To: 11 * time.Hour}}
		})}}})
		require.Empty(t, vs)
	})
	t.Run("cool-down prevents repeats", func(t *testing.T) {
		vs := replay(looks, []rules.ZoneRules{{Zone: wholeFrame, Rules: []rules.Rule{lingerRule(func(r *rules.Rule) {
			r.Cooldown = 10 * time.Minute
		})}}})
		require.Len(t, vs, 1)
	})
}

// TestTrackerOnRealVideo prints how the tracker fares on vtest.avi at two
// looks a second. There is no ground truth to count id switches against,
// so it reports fragmentation instead: tracks, and tracks that live less
// than two seconds (a person who crosses the plaza takes far longer, so
// short tracks are mostly broken ones).
func TestTrackerOnRealVideo(t *testing.T) {
	looks := vtestDetections(t)
	tr := track.New(3 * time.Second)
	first, last := map[uint64]time.Time{}, map[uint64]time.Time{}
	var people, maxLive int
	for _, l := range looks {
		var persons []vision.Detection
		for _, d := range l.dets {
			if d.Class == "person" && d.Score >= 0.4 {
				persons = append(persons, d)
			}
		}
		people += len(persons)
		for _, s := range tr.Update(l.at, persons) {
			if _, ok := first[s.ID]; !ok {
				first[s.ID] = l.at
			}
			last[s.ID] = l.at
		}
		maxLive = max(maxLive, tr.Len())
	}
	short := 0
	for id := range first {
		if last[id].Sub(first[id]) < 2*time.Second {
			short++
		}
	}
	t.Logf("vtest.avi at 2 looks/s: %d person detections, %d tracks, %d shorter than 2 s, at most %d live", people, len(first), short, maxLive)
	require.NotZero(t, len(first))
	require.Less(t, float64(short), 0.5*float64(len(first)), "most tracks are fragments: the tracker loses people")
}
