package pipeline

import (
	"fmt"
	"image"
	"os"
	"path/filepath"
	"time"

	"gocv.io/x/gocv"

	"github.com/xiuhua/xiuhua/edge/change"
	"github.com/xiuhua/xiuhua/edge/evidence"
	"github.com/xiuhua/xiuhua/edge/rules"
	"github.com/xiuhua/xiuhua/edge/vision"
)

// ChangeWatch finds a violation by persistent change of a zone against its
// reference picture: illegal_structure and street_laundry when the model
// has no class for them.
type ChangeWatch struct {
	Zone rules.Zone
	Rule rules.Rule
	// Config's Rect is filled from the zone at the first frame.
	Config change.Config
	// Interval between checks: structures appear over hours, so once a
	// minute is plenty and costs nothing.
	Interval time.Duration
	// Reference is the file of the zone's reference picture. It is taken
	// from the first frame when missing; an operator replaces it by
	// deleting it (the next frame becomes the reference) or by putting
	// another picture of the same size there.
	Reference string

	watcher   *change.Watcher
	lastCheck time.Time
}

// check looks at the frame (asked of get only then: a decoded picture is
// converted only for the checks) if the interval has passed and returns a
// violation when the change has become persistent.
func (w *ChangeWatch) check(at time.Time, get func() (gocv.Mat, error)) (*rules.Violation, error) {
	if w.watcher != nil && at.Sub(w.lastCheck) < w.Interval {
		return nil, nil
	}
	frame, err := get()
	if err != nil {
		return nil, err
	}
	if w.watcher == nil {
		if err := w.start(frame); err != nil {
			return nil, err
		}
		w.lastCheck = at
		return nil, nil
	}
	w.lastCheck = at
	res, err := w.watcher.Check(at, frame)
	if err != nil || !res.Persistent {
		return nil, err
	}
	box := bounds(res.Cells)
	score := float32(res.Fraction)
	return &rules.Violation{
		Zone: w.Zone,
		Rule: w.Rule,
		Object: rules.Finding{
			Kind: rules.FindingChange, Class: evidence.ChangeClass, Score: score, BestScore: score, MeanScore: score,
			Box: vision.Box{X1: float32(box.Min.X), Y1: float32(box.Min.Y), X2: float32(box.Max.X), Y2: float32(box.Max.Y)},
		},
		Since: res.Since,
		At:    at,
	}, nil
}

// start loads or takes the reference picture.
func (w *ChangeWatch) start(frame gocv.Mat) error {
	cfg := w.Config
	cfg.Rect = w.Zone.Bounds(frame.Cols(), frame.Rows())
	ref := gocv.IMRead(w.Reference, gocv.IMReadColor)
	defer ref.Close()
	if ref.Empty() || ref.Cols() != frame.Cols() || ref.Rows() != frame.Rows() {
		if err := saveJPEG(w.Reference, frame); err != nil {
			return fmt.Errorf("save reference picture of zone %q: %w", w.Zone.ID, err)
		}
		frame.CopyTo(&ref)
	}
	watcher, err := change.NewWatcher(cfg, ref)
	if err != nil {
		return fmt.Errorf("zone %q: %w", w.Zone.ID, err)
	}
	w.watcher = watcher
	return nil
}

// Before is the reference picture, once the watch has started.
func (w *ChangeWatch) Before() (gocv.Mat, bool) {
	if w.watcher == nil {
		return gocv.Mat{}, false
	}
	return w.watcher.Reference(), true
}

// Close frees the reference picture.
func (w *ChangeWatch) Close() {
	if w.watcher != nil {
		w.watcher.Close()
	}
}

func bounds(cells []image.Rectangle) image.Rectangle {
	var r image.Rectangle
	for i, c := range cells {
		if i == 0 {
			r = c
		} else {
			r = r.Union(c)
		}
	}
	return r
}

// saveJPEG writes m to path atomically.
func saveJPEG(path string, m gocv.Mat) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	buf, err := gocv.IMEncode(gocv.JPEGFileExt, m)
	if err != nil {
		return err
	}
	defer buf.Close()
	tmp := path + ".part"
	if err := os.WriteFile(tmp, buf.GetBytes(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
