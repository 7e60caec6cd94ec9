package recheck

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gocv.io/x/gocv"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/xiuhua/xiuhua/edge/change"
	"github.com/xiuhua/xiuhua/edge/evidence"
	"github.com/xiuhua/xiuhua/edge/rules"
	"github.com/xiuhua/xiuhua/edge/vision"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// modelDetector is a detector that says which model ran (a hot-swappable
// model manager): the answer names the model that looked.
type modelDetector interface {
	DetectModel(img gocv.Mat) ([]vision.Detection, vision.ModelInfo, error)
}

// look is what one frame showed.
type look struct {
	frame   gocv.Mat
	at      time.Time
	matches []vision.Detection // of the rule's classes, in the zone or on the box
	score   float32            // best match score, or the changed fraction
	model   vision.ModelInfo
}

// target is the rule a request is about.
type target struct {
	cam    Camera
	zone   rules.Zone
	rule   rules.Rule
	change *Change
}

// Check looks at the zone of req and returns the answer. It never fails:
// what stops it from looking is an UNAVAILABLE answer with the reason.
func (c *Checker) Check(ctx context.Context, req *xiuhuav1.RecheckRequest) *xiuhuav1.RecheckResult {
	res := &xiuhuav1.RecheckResult{RequestId: req.RequestId, CaseId: req.CaseId, CameraId: req.CameraId}
	unavailable := func(format string, args ...any) *xiuhuav1.RecheckResult {
		res.Outcome = xiuhuav1.RecheckOutcome_RECHECK_OUTCOME_UNAVAILABLE
		res.Detail = fmt.Sprintf(format, args...)
		res.ObservedAt = timestamppb.Now()
		c.log.Warn("re-check unavailable", "recheck", req.RequestId, "case", req.CaseId, "camera", req.CameraId, "reason", res.Detail)
		return res
	}
	if c.opts.Off {
		return unavailable("re-checks are turned off on this edge (recheck.enabled: false)")
	}
	t, err := c.target(req)
	if err != nil {
		return unavailable("%v", err)
	}
	timeout := time.Duration(req.TimeoutSeconds) * time.Second
	if timeout <= 0 {
		timeout = c.opts.DefaultTimeout
	}
	timeout = min(timeout, c.opts.MaxTimeout)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	// The looks are spread over half the time, leaving the rest for the
	// model's turn and the answer's way back.
	spacing := timeout / time.Duration(2*c.opts.Looks)

	var looks []look
	defer func() {
		for _, l := range looks {
			l.frame.Close()
		}
	}()
	for i := range c.opts.Looks {
		if i > 0 {
			select {
			case <-time.After(spacing):
			case <-ctx.Done():
			}
			if ctx.Err() != nil {
				break
			}
		}
		f, err := t.cam.Frames.Peek(ctx)
		if err != nil {
			break
		}
		l, err := c.look(t, f.Image, f.Captured, req)
		if err != nil {
			f.Image.Close()
			c.log.Warn("re-check look failed", "recheck", req.RequestId, "err", err)
			continue
		}
		looks = append(looks, l)
	}
	if len(looks) == 0 {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return unavailable("camera %s gave no frame within %s: is it down?", req.CameraId, timeout)
		}
		if ctx.Err() != nil {
			return unavailable("the edge is stopping")
		}
		return unavailable("camera %s: every look failed", req.CameraId)
	}
	return c.answer(res, t, looks)
}

// target finds the camera, zone and rule of a request.
func (c *Checker) target(req *xiuhuav1.RecheckRequest) (target, error) {
	cam, ok := c.cameras[req.CameraId]
	if !ok {
		return target{}, fmt.Errorf("unknown camera %q on this edge", req.CameraId)
	}
	for _, ch := range cam.Changes {
		if ch.Zone.ID == req.ZoneId && ch.Rule.Type == req.ViolationType {
			return target{cam: cam, zone: ch.Zone, rule: ch.Rule, change: &ch}, nil
		}
	}
	for _, zr := range cam.Zones {
		if zr.Zone.ID != req.ZoneId {
			continue
		}
		for _, r := range zr.Rules {
			if r.Type == req.ViolationType && len(r.Classes) > 0 {
				return target{cam: cam, zone: zr.Zone, rule: r}, nil
			}
		}
		return target{}, fmt.Errorf("zone %q of camera %q has no rule of type %s", req.ZoneId, req.CameraId, req.ViolationType)
	}
	return target{}, fmt.Errorf("unknown zone %q of camera %q", req.ZoneId, req.CameraId)
}

// look judges one frame; it keeps the frame, which the caller closes.
func (c *Checker) look(t target, frame gocv.Mat, at time.Time, req *xiuhuav1.RecheckRequest) (look, error) {
	l := look{frame: frame, at: at}
	w, h := frame.Cols(), frame.Rows()
	if t.change != nil {
		fraction, err := changed(*t.change, frame)
		if err != nil {
			return l, err
		}
		l.score = float32(fraction)
		if fraction >= t.change.MinFraction {
			r := t.zone.Bounds(w, h)
			l.matches = []vision.Detection{{Class: evidence.ChangeClass, Score: l.score,
				Box: vision.Box{X1: float32(r.Min.X), Y1: float32(r.Min.Y), X2: float32(r.Max.X), Y2: float32(r.Max.Y)}}}
		}
		return l, nil
	}
	var (
		dets []vision.Detection
		err  error
	)
	if md, ok := c.opts.Detector.(modelDetector); ok {
		dets, l.model, err = md.DetectModel(frame)
	} else {
		dets, err = c.opts.Detector.Detect(frame)
		l.model = c.opts.Detector.Info()
	}
	if err != nil {
		return l, fmt.Errorf("detect: %w", err)
	}
	box, hasBox := requestBox(req, w, h)
	for _, d := range dets {
		if d.Score < t.rule.MinScore || !slices.Contains(t.rule.Classes, d.Class) {
			continue
		}
		if t.zone.Covers(d.Box, w, h) || (hasBox && overlaps(d.Box, box)) {
			l.matches = append(l.matches, d)
			l.score = max(l.score, d.Score)
		}
	}
	return l, nil
}

// answer decides from the looks: present if any saw the violation.
func (c *Checker) answer(res *xiuhuav1.RecheckResult, t target, looks []look) *xiuhuav1.RecheckResult {
	best, seen := len(looks)-1, 0
	for i, l := range looks {
		if len(l.matches) > 0 {
			seen++
			if len(looks[best].matches) == 0 || l.score > looks[best].score {
				best = i
			}
		}
	}
	b := looks[best]
	what := strings.Join(t.rule.Classes, "/")
	if t.change != nil {
		what = "change against the reference picture"
	}
	if seen > 0 {
		res.Outcome = xiuhuav1.RecheckOutcome_RECHECK_OUTCOME_PRESENT
		res.Score = b.score
		if t.change != nil {
			res.Detail = fmt.Sprintf("%.0f%% of zone %s changed against the reference picture, in %d of %d looks", b.score*100, t.zone.ID, seen, len(looks))
		} else {
			res.Detail = fmt.Sprintf("%d %s in zone %s (best %.2f), in %d of %d looks", len(b.matches), b.matches[0].Class, t.zone.ID, b.score, seen, len(looks))
		}
	} else {
		res.Outcome = xiuhuav1.RecheckOutcome_RECHECK_OUTCOME_ABSENT
		res.Detail = fmt.Sprintf("no %s in zone %s in %d looks", what, t.zone.ID, len(looks))
	}
	res.ObservedAt = timestamppb.New(b.at)
	for _, d := range b.matches {
		res.Detections = append(res.Detections, &xiuhuav1.Detection{ClassName: d.Class, Score: d.Score,
			Box: &xiuhuav1.Box{X: d.Box.X1, Y: d.Box.Y1, Width: d.Box.X2 - d.Box.X1, Height: d.Box.Y2 - d.Box.Y1}})
	}
	if b.model != (vision.ModelInfo{}) {
		res.Model = &xiuhuav1.ModelRef{Name: b.model.Name, Version: b.model.Version, Sha256: b.model.SHA256}
	}
	v := rules.Violation{Zone: t.zone, Rule: t.rule, Since: b.at, At: b.at, Object: rules.Finding{Class: "clear"}}
	if len(b.matches) > 0 {
		m := b.matches[0]
		for _, d := range b.matches {
			if d.Score > m.Score {
				m = d
			}
		}
		v.Object = rules.Finding{Class: m.Class, Score: m.Score, BestScore: m.Score, MeanScore: m.Score, Box: m.Box}
	}
	raw, annotated, err := c.opts.Annotator.Snapshots(b.frame, res.CameraId, v)
	if err != nil {
		c.log.Warn("re-check picture", "recheck", res.RequestId, "err", err)
	} else {
		res.Snapshot, res.Annotated = raw, annotated
	}
	c.log.Info("re-check answered", "recheck", res.RequestId, "case", res.CaseId, "outcome", res.Outcome.String(), "detail", res.Detail)
	return res
}

// requestBox is the request's box in a w×h frame.
func requestBox(req *xiuhuav1.RecheckRequest, w, h int) (vision.Box, bool) {
	b := req.GetBox()
	if b == nil || b.Width <= 0 || b.Height <= 0 {
		return vision.Box{}, false
	}
	sx, sy := float32(1), float32(1)
	if req.FrameWidth > 0 && req.FrameHeight > 0 {
		sx, sy = float32(w)/float32(req.FrameWidth), float32(h)/float32(req.FrameHeight)
	}
	return vision.Box{X1: b.X * sx, Y1: b.Y * sy, X2: (b.X + b.Width) * sx, Y2: (b.Y + b.Height) * sy}, true
}

// overlaps reports whether a and b share at least a tenth of the smaller
// one's area: the same object moved a little, not a passer-by grazing it.
func overlaps(a, b vision.Box) bool {
	iw := min(a.X2, b.X2) - max(a.X1, b.X1)
	ih := min(a.Y2, b.Y2) - max(a.Y1, b.Y1)
	if iw <= 0 || ih <= 0 {
		return false
	}
	area := func(x vision.Box) float32 { return (x.X2 - x.X1) * (x.Y2 - x.Y1) }
	return iw*ih >= 0.1*min(area(a), area(b))
}

// changed is the share of the zone's cells that differ from the reference
// picture.
func changed(ch Change, frame gocv.Mat) (float64, error) {
	ref := gocv.IMRead(ch.Reference, gocv.IMReadColor)
	defer ref.Close()
	if ref.Empty() {
		return 0, fmt.Errorf("no reference picture for zone %q at %s", ch.Zone.ID, ch.Reference)
	}
	if ref.Cols() != frame.Cols() || ref.Rows() != frame.Rows() {
		return 0, fmt.Errorf("reference picture of zone %q is %dx%d, the frame %dx%d", ch.Zone.ID, ref.Cols(), ref.Rows(), frame.Cols(), frame.Rows())
	}
	r := ch.Zone.Bounds(frame.Cols(), frame.Rows())
	a, err := change.NewSignature(ref, r)
	if err != nil {
		return 0, err
	}
	b, err := change.NewSignature(frame, r)
	if err != nil {
		return 0, err
	}
	_, fraction := change.Compare(a, b, ch.CellThreshold)
	return fraction, nil
}
