package pipeline

import (
	"fmt"
	"image"
	"log/slog"

	"gocv.io/x/gocv"

	"github.com/xiuhua/xiuhua/edge/ingest"
	"github.com/xiuhua/xiuhua/edge/regions"
	"github.com/xiuhua/xiuhua/edge/vision"
)

// Regions makes a camera's detector look at parts of the frame at the
// camera's resolution instead of the whole frame shrunk into the model
// (see edge/regions and docs/regions.md). It belongs to one camera loop.
type Regions struct {
	// Sources are the rectangles to look at in a frame of this size (the
	// zones, or the configured list).
	Sources func(frame image.Point) []regions.Source
	Params  regions.Params
	// FullEvery also looks at the whole frame every this many looks (1:
	// every look), so objects outside the regions keep their tracks and
	// objects larger than a tile are seen whole.
	FullEvery int

	looks   int
	planned image.Point // the frame size plan is for
	plan    regions.Plan
	tiles   []image.Rectangle
	whole   bool // the plan is not worth its tiles (regions.MinGain)
}

// replan works out the tiles for a new frame size, and says once per size
// what it will look at and which regions reached outside the picture.
func (r *Regions) replan(size image.Point, log *slog.Logger) {
	r.planned = size
	r.plan = regions.Fit(size, r.Sources(size), r.Params)
	r.tiles = r.tiles[:0]
	for _, t := range r.plan.Tiles {
		r.tiles = append(r.tiles, t.Rect)
	}
	coarse := r.plan.Coarseness(r.Params.Input)
	r.whole = !r.plan.Worthwhile(r.Params.Input)
	if len(r.plan.Clipped) > 0 {
		log.Warn("regions reach outside the picture; clipped to it", "regions", r.plan.Clipped, "width", size.X, "height", size.Y)
	}
	if r.whole {
		log.Info("regions not much finer than the whole frame; looking at the whole frame", "width", size.X, "height", size.Y,
			"regions", len(r.plan.Regions), "tiles", len(r.tiles), "pixels_per_input_pixel", fmt.Sprintf("%.2f", coarse),
			"whole_frame", fmt.Sprintf("%.2f", regions.FullCoarseness(size, r.Params.Input)))
		return
	}
	log.Info("regions planned", "width", size.X, "height", size.Y, "regions", len(r.plan.Regions),
		"tiles", len(r.tiles), "pixels_per_input_pixel", fmt.Sprintf("%.2f", coarse))
}

// Detect runs d on the tiles of img (and on img whole every FullEvery
// looks) and merges what they find, in img's pixels. A hot swap may land
// between two tiles: only the runs of the model that ran last count, so a
// look is judged by one model.
func (r *Regions) Detect(d Detector, img gocv.Mat, log *slog.Logger) ([]vision.Detection, vision.ModelInfo, error) {
	return r.detect(d, newView(ingest.Frame{Image: img}, nil), log)
}

// detect is Detect on a view: from a decoded picture, each tile and the
// whole frame are converted straight to the model's input size.
func (r *Regions) detect(d Detector, v *view, log *slog.Logger) ([]vision.Detection, vision.ModelInfo, error) {
	size := v.size()
	if size != r.planned {
		r.replan(size, log)
	}
	look := r.looks
	r.looks++
	if r.whole {
		return detectInput(d, v, image.Rectangle{}, r.Params.Input)
	}
	var (
		full    []vision.Detection
		model   vision.ModelInfo
		models  = make([]vision.ModelInfo, len(r.tiles))
		perTile = make([][]vision.Detection, len(r.tiles))
		rects   = make([]image.Rectangle, len(r.tiles))
	)
	for i, rect := range r.tiles {
		dets, m, at, err := detectPart(d, v, rect, r.Params.Input)
		if err != nil {
			return nil, m, fmt.Errorf("tile %d of %d %v: %w", i+1, len(r.tiles), rect, err)
		}
		perTile[i], models[i], model, rects[i] = dets, m, m, at
	}
	if r.FullEvery <= 1 || look%r.FullEvery == 0 {
		dets, m, err := detectInput(d, v, image.Rectangle{}, r.Params.Input)
		if err != nil {
			return nil, m, fmt.Errorf("whole frame: %w", err)
		}
		full, model = dets, m
	}
	for i, m := range models {
		if m != model {
			perTile[i] = nil
		}
	}
	return regions.Merge(size, rects, perTile, full), model, nil
}

// detectInput runs d on the part rect of the frame (zero: all of it) and
// returns the boxes in the frame's pixels.
func detectInput(d Detector, v *view, rect image.Rectangle, in image.Point) ([]vision.Detection, vision.ModelInfo, error) {
	dets, m, _, err := detectPart(d, v, rect, in)
	return dets, m, err
}

// detectPart is detectInput that also says which rectangle of the frame
// the model saw (a picture's crop may start a pixel earlier, on its chroma
// grid).
func detectPart(d Detector, v *view, rect image.Rectangle, in image.Point) ([]vision.Detection, vision.ModelInfo, image.Rectangle, error) {
	img, at, release, err := v.input(rect, in)
	if err != nil {
		return nil, vision.ModelInfo{}, rect, err
	}
	defer release()
	dets, m, err := detectWithModel(d, img)
	if err != nil {
		return nil, m, at.rect, err
	}
	at.toFrame(dets)
	return dets, m, at.rect, nil
}
