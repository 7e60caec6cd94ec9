package main

import (
	"cmp"
	"flag"
	"fmt"
	"image"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gocv.io/x/gocv"

	"github.com/xiuhua/xiuhua/edge/config"
	"github.com/xiuhua/xiuhua/edge/detect"
	"github.com/xiuhua/xiuhua/edge/pipeline"
	"github.com/xiuhua/xiuhua/edge/regions"
	"github.com/xiuhua/xiuhua/edge/rules"
	"github.com/xiuhua/xiuhua/edge/track"
	"github.com/xiuhua/xiuhua/hack/stage/scene"
	"github.com/xiuhua/xiuhua/internal/testdata"
)

// sceneMode is one way of looking at a scene: how the detector sees the
// frame (the whole of it shrunk into the model, or the zone's regions at
// the camera's resolution) and whether the rules accumulate presence.
type sceneMode struct {
	name       string
	regions    bool
	accumulate bool
}

var sceneModes = []sceneMode{
	{name: "full frame"},
	{name: "full frame + accumulation", accumulate: true},
	{name: "regions", regions: true},
	{name: "regions + accumulation", regions: true, accumulate: true},
}

// sceneRun is one pass over a scene in one mode from one sampling phase.
type sceneRun struct {
	tracker *track.Tracker
	engine  *rules.Engine
	fired   []rules.Violation
}

// runScenes stages the hard scenes (hack/stage/scene), runs each through
// the real model, tracker and rules at two looks a second — from several
// sampling phases, since which frames are looked at decides what a weak
// detector sees — and prints recall and precision per scene and mode.
func runScenes(args []string) int {
	fs := flag.NewFlagSet("scenes", flag.ExitOnError)
	phases := fs.Int("phases", 3, "sampling phases per scene (each a different set of frames at 2 looks/s)")
	dwell := fs.Duration("dwell", 10*time.Second, "the rule's dwell")
	only := fs.String("only", "", "comma-separated scene names (default all)")
	dir := fs.String("dir", filepath.Join(testdata.CacheDir(), scene.Version), "where the staged scenes are kept")
	_ = fs.Parse(args)
	td, err := testdata.Dir()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench scenes:", err)
		return 1
	}
	scenes, err := scene.Build(filepath.Join(td, "media", "vtest.avi"), filepath.Join(td, "images", "000000000139.jpg"), *dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench scenes: stage:", err)
		return 1
	}
	det, input, err := openSceneDetector(td)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench scenes:", err)
		return 1
	}
	defer det.Close()
	fmt.Printf("scenes: %d sampling phases each, 2 looks/s, street_vending dwell %v, min_score 0.4; accumulation floor 0.2, half-life 30s, presence 0.3;\n", *phases, *dwell)
	fmt.Printf("regions: auto from the zone, tile overlap 0.2, at most 2 tiles (6 for small1080), whole frame every 4th look\n")
	fmt.Printf("a hit: raised within dwell + 15 s of the object's appearance, box IoU >= 0.3; recall = hits / runs with an object, precision = hits / violations\n\n")
	fmt.Printf("%-10s %-27s %8s %10s %10s %10s\n", "scene", "mode", "recall", "violations", "precision", "delay")
	tot := make([]tally, len(sceneModes))
	for _, s := range scenes {
		if *only != "" && !strings.Contains(","+*only+",", ","+s.Name+",") {
			continue
		}
		runs, err := playScene(det, input, s, s.File(*dir), *phases, *dwell)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench scenes:", err)
			return 1
		}
		for m, mode := range sceneModes {
			var t tally
			for _, r := range runs[m] {
				t.add(s, r.fired, *dwell)
			}
			tot[m].merge(t)
			fmt.Printf("%-10s %-27s %8s %10d %10s %10s\n", s.Name, mode.name, t.recall(), t.violations, t.precision(), t.delay())
		}
	}
	for m, mode := range sceneModes {
		fmt.Printf("%-10s %-27s %8s %10d %10s %10s\n", "all", mode.name, tot[m].recall(), tot[m].violations, tot[m].precision(), tot[m].delay())
	}
	return 0
}

// openSceneDetector opens YOLOX-Nano keeping the rule's classes down to
// the accumulation floor, as the edge does for rules that accumulate.
// It returns the model's input size too, which regions are tiled for.
func openSceneDetector(td string) (detect.Detector, image.Point, error) {
	root, err := testdata.RepoRoot()
	if err != nil {
		return nil, image.Point{}, err
	}
	yml, err := os.ReadFile(filepath.Join(root, "models", "yolox-nano.yaml"))
	if err != nil {
		return nil, image.Point{}, err
	}
	m, err := detect.ParseManifest(yml, filepath.Join(td, "models"))
	if err != nil {
		return nil, image.Point{}, err
	}
	m.ClassThresholds = map[string]float32{}
	for _, c := range rules.DefaultClasses("street_vending", m.Classes) {
		m.ClassThresholds[c] = 0.2
	}
	det, err := detect.Open(m, detect.Options{})
	return det, image.Pt(m.Input.Width, m.Input.Height), err
}

// playScene runs every phase and mode over the scene's video, detecting
// each looked-at frame once per view (whole frame, regions) for all modes.
func playScene(det detect.Detector, input image.Point, s scene.Scene, file string, phases int, dwell time.Duration) ([][]*sceneRun, error) {
	vc, err := gocv.VideoCaptureFile(file)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", file, err)
	}
	defer vc.Close()
	runs := make([][]*sceneRun, len(sceneModes))
	for m, mode := range sceneModes {
		for range phases {
			runs[m] = append(runs[m], &sceneRun{tracker: track.New(5 * time.Second), engine: rules.NewEngine(sceneZones(s, dwell, mode.accumulate))})
		}
	}
	views := make([]*pipeline.Regions, phases) // each phase counts its own looks
	for p := range views {
		views[p] = sceneRegions(s, input)
	}
	quiet := slog.New(slog.DiscardHandler)
	t0 := time.Date(2026, 12, 6, 17, 0, 0, 0, time.UTC)
	frame := gocv.NewMat()
	defer frame.Close()
	for i := 0; vc.Read(&frame); i++ {
		p := i % 5 // 10 fps video, 2 looks a second
		if p >= phases {
			continue
		}
		whole, err := det.Detect(frame)
		if err != nil {
			return nil, fmt.Errorf("%s frame %d: %w", s.Name, i, err)
		}
		tiled, _, err := views[p].Detect(det, frame, quiet)
		if err != nil {
			return nil, fmt.Errorf("%s frame %d, regions: %w", s.Name, i, err)
		}
		now := t0.Add(time.Duration(i) * 100 * time.Millisecond)
		for m := range sceneModes {
			r := runs[m][p]
			dets := whole
			if sceneModes[m].regions {
				dets = tiled
			}
			r.fired = append(r.fired, r.engine.Observe(now, frame.Cols(), frame.Rows(), r.tracker.Update(now, dets))...)
			if sceneModes[m].accumulate {
				r.fired = append(r.fired, r.engine.Accumulate(now, frame.Cols(), frame.Rows(), dets)...)
			}
		}
	}
	// Times in the tally are video times.
	for m := range runs {
		for _, r := range runs[m] {
			for i := range r.fired {
				r.fired[i].At = time.Time{}.Add(r.fired[i].At.Sub(t0))
			}
		}
	}
	return runs, nil
}

// sceneMaxTiles is the max_tiles the scenes table in docs/accumulation.md
// was measured with (the default then; it is 1 now, see docs/regions.md),
// kept so that the table can be reproduced.
const sceneMaxTiles = 2

// sceneRegions looks at the scene's zone as `regions: auto` does with
// the default overlap and full-frame rate, and max_tiles sceneMaxTiles
// or the scene's own.
func sceneRegions(s scene.Scene, input image.Point) *pipeline.Regions {
	zones := sceneZones(s, time.Second, false)
	return &pipeline.Regions{
		Sources:   func(frame image.Point) []regions.Source { return regions.FromZones([]rules.Zone{zones[0].Zone}, frame) },
		Params:    regions.Params{Input: input, Overlap: config.DefaultTileOverlap, MaxTiles: cmp.Or(s.MaxTiles, sceneMaxTiles)},
		FullEvery: config.DefaultFullFrameEvery,
	}
}

// sceneZones is the scene's zone with the test's street_vending rule.
func sceneZones(s scene.Scene, dwell time.Duration, accumulate bool) []rules.ZoneRules {
	poly := make([]rules.Point, len(s.Zone))
	for i, p := range s.Zone {
		poly[i] = rules.Point{X: p[0], Y: p[1]}
	}
	r := rules.Rule{ID: "vending", Type: "street_vending", MinScore: 0.4, Dwell: dwell,
		Classes:      rules.DefaultClasses("street_vending", []string{"umbrella", "dining table", "chair", "bench", "suitcase"}),
		GapTolerance: 5 * time.Second, MaxMotion: 0.5, Cooldown: 10 * time.Minute}
	if accumulate {
		r.Accumulate = rules.Accumulation{Floor: 0.2, HalfLife: 30 * time.Second, Presence: 0.3}
	}
	return []rules.ZoneRules{{Zone: rules.Zone{ID: "walkway", Polygon: poly}, Rules: []rules.Rule{r}}}
}
