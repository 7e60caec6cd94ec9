package change

import (
	"fmt"
	"image"
	"time"

	"gocv.io/x/gocv"
)

// Config says what counts as a persistent change.
type Config struct {
	// Rect is the zone's bounding box in frame pixels.
	Rect image.Rectangle
	// CellThreshold is the correlation below which a cell has changed.
	CellThreshold float64
	// MinFraction is the share of cells that must change: a bag left for a
	// moment is small, a shed is not.
	MinFraction float64
	// Checks and Span: the change must be seen in at least Checks checks in
	// a row spanning at least Span (hours on a street, minutes in a demo)
	// before it is reported, so parked vans and market days pass.
	Checks int
	Span   time.Duration
}

// Result is the outcome of one check.
type Result struct {
	Fraction float64 // share of changed cells
	Changed  bool    // this check saw a change
	// Persistent is true once, on the check that completes Checks and
	// Span; it is true again only after the zone has looked like its
	// reference once more.
	Persistent bool
	Since      time.Time // first check of the current run of changes
	Cells      []image.Rectangle
}

// Watcher checks one zone against its reference. Not safe for concurrent
// use; the reference frame it keeps is closed by Close.
type Watcher struct {
	cfg      Config
	ref      *Signature
	refFrame gocv.Mat
	run      int
	since    time.Time
	reported bool
}

// NewWatcher returns a watcher with reference frame ref (copied).
func NewWatcher(cfg Config, ref gocv.Mat) (*Watcher, error) {
	w := &Watcher{cfg: cfg, refFrame: gocv.NewMat()}
	if err := w.SetReference(ref); err != nil {
		w.refFrame.Close()
		return nil, err
	}
	return w, nil
}

// SetReference replaces the reference picture: an operator accepting the
// scene as it is now (a permitted structure) and starting afresh.
func (w *Watcher) SetReference(ref gocv.Mat) error {
	sig, err := NewSignature(ref, w.cfg.Rect)
	if err != nil {
		return fmt.Errorf("set reference: %w", err)
	}
	w.ref = sig
	ref.CopyTo(&w.refFrame)
	w.run, w.reported = 0, false
	return nil
}

// Reference is the reference frame, for before/after evidence. It stays
// owned by the watcher.
func (w *Watcher) Reference() gocv.Mat { return w.refFrame }

// Check compares frame, taken at at, with the reference.
func (w *Watcher) Check(at time.Time, frame gocv.Mat) (Result, error) {
	sig, err := NewSignature(frame, w.cfg.Rect)
	if err != nil {
		return Result{}, err
	}
	changed, fraction := Compare(w.ref, sig, w.cfg.CellThreshold)
	res := Result{Fraction: fraction, Changed: fraction >= w.cfg.MinFraction}
	if !res.Changed {
		w.run, w.reported = 0, false
		return res, nil
	}
	if w.run == 0 {
		w.since = at
	}
	w.run++
	res.Since = w.since
	res.Cells = w.cellRects(changed)
	if !w.reported && w.run >= w.cfg.Checks && at.Sub(w.since) >= w.cfg.Span {
		res.Persistent = true
		w.reported = true
	}
	return res, nil
}

// cellRects maps changed cells back to frame pixels.
func (w *Watcher) cellRects(changed [cells * cells]bool) []image.Rectangle {
	r := w.cfg.Rect
	var out []image.Rectangle
	for i, c := range changed {
		if !c {
			continue
		}
		cx, cy := i%cells, i/cells
		out = append(out, image.Rect(
			r.Min.X+cx*r.Dx()/cells, r.Min.Y+cy*r.Dy()/cells,
			r.Min.X+(cx+1)*r.Dx()/cells, r.Min.Y+(cy+1)*r.Dy()/cells))
	}
	return out
}

// Close frees the reference frame.
func (w *Watcher) Close() error { return w.refFrame.Close() }
