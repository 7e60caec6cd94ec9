// Package evidence turns a violation and the frame it fired on into what an
// officer (and a court) sees: the untouched frame, an annotated copy, and
// the report that describes them.
package evidence

import (
	"fmt"
	"image"
	"image/color"
	"time"

	"gocv.io/x/gocv"

	"github.com/xiuhua/xiuhua/edge/rules"
)

// JPEGQuality balances legibility of faces and plates against upload size
// on a roadside uplink.
const JPEGQuality = 90

var (
	zoneColour  = color.RGBA{R: 255, G: 200, B: 0}
	boxColour   = color.RGBA{R: 230, G: 30, B: 30}
	textColour  = color.RGBA{R: 255, G: 255, B: 255}
	shadeColour = color.RGBA{A: 255}
)

// Snapshots encodes frame as the raw snapshot and an annotated copy showing
// the zone, the object's box, its dwell, the camera and the time, with
// ASCII labels only. frame is not modified.
func Snapshots(frame gocv.Mat, cameraID string, v rules.Violation) (raw, annotated []byte, err error) {
	return Annotator{}.Snapshots(frame, cameraID, v)
}

// Annotator draws the annotated snapshot. With a Labeler it adds the
// violation type in Chinese and English; without one, English only.
type Annotator struct {
	Labeler *Labeler
	// Location is the zone the time on the picture is written in (the
	// device's, device.timezone), with its UTC offset so the picture says
	// which; nil writes UTC (+00:00).
	Location *time.Location
}

// OverlayTime is how the annotated snapshot writes t in loc (nil: UTC):
// local wall time and its offset, "2026-12-06 20:52:03 +08:00".
func OverlayTime(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2006-01-02 15:04:05 -07:00")
}

// Snapshots is the package function Snapshots, with a's labels.
func (a Annotator) Snapshots(frame gocv.Mat, cameraID string, v rules.Violation) (raw, annotated []byte, err error) {
	if frame.Empty() {
		return nil, nil, fmt.Errorf("encode snapshot: empty frame")
	}
	raw, err = encodeJPEG(frame)
	if err != nil {
		return nil, nil, fmt.Errorf("encode raw snapshot: %w", err)
	}
	canvas := frame.Clone()
	defer canvas.Close()
	annotate(&canvas, cameraID, v, a.Location)
	if a.Labeler != nil {
		label := TypeNames[v.Rule.Type] + " " + v.Rule.Type
		if err := a.Labeler.Draw(&canvas, label, image.Pt(0, 26), textColour); err != nil {
			return nil, nil, err
		}
	}
	annotated, err = encodeJPEG(canvas)
	if err != nil {
		return nil, nil, fmt.Errorf("encode annotated snapshot: %w", err)
	}
	return raw, annotated, nil
}

func encodeJPEG(m gocv.Mat) ([]byte, error) {
	buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, m, []int{gocv.IMWriteJpegQuality, JPEGQuality})
	if err != nil {
		return nil, err
	}
	defer buf.Close()
	return append([]byte(nil), buf.GetBytes()...), nil
}

func annotate(m *gocv.Mat, cameraID string, v rules.Violation, loc *time.Location) {
	w, h := m.Cols(), m.Rows()
	pts := make([]image.Point, len(v.Zone.Polygon))
	for i, p := range v.Zone.Polygon {
		pts[i] = image.Pt(int(p.X*float64(w)), int(p.Y*float64(h)))
	}
	pv := gocv.NewPointsVectorFromPoints([][]image.Point{pts})
	defer pv.Close()
	gocv.Polylines(m, pv, true, zoneColour, 2)

	b := v.Object.Box
	rect := image.Rect(int(b.X1), int(b.Y1), int(b.X2), int(b.Y2))
	gocv.Rectangle(m, rect, boxColour, 3)
	label := objectLabel(v)
	labelAt := image.Pt(rect.Min.X, max(rect.Min.Y-6, 14))
	gocv.PutText(m, label, labelAt.Add(image.Pt(1, 1)), gocv.FontHersheySimplex, 0.5, shadeColour, 2)
	gocv.PutText(m, label, labelAt, gocv.FontHersheySimplex, 0.5, boxColour, 1)

	header := fmt.Sprintf("%s  %s  %s  %s/%s", cameraID, OverlayTime(v.At, loc), v.Rule.Type, v.Zone.ID, v.Rule.ID)
	gocv.Rectangle(m, image.Rect(0, 0, w, 24), shadeColour, -1)
	gocv.PutText(m, header, image.Pt(6, 17), gocv.FontHersheySimplex, 0.5, textColour, 1)
}

// BeforeAfter encodes the reference picture and the current frame side by
// side: the evidence that a structure was not there before.
func BeforeAfter(before, after gocv.Mat) ([]byte, error) {
	if before.Empty() || after.Empty() {
		return nil, fmt.Errorf("encode before/after: empty picture")
	}
	a := after
	if after.Rows() != before.Rows() {
		a = gocv.NewMat()
		defer a.Close()
		gocv.Resize(after, &a, image.Pt(after.Cols()*before.Rows()/after.Rows(), before.Rows()), 0, 0, gocv.InterpolationArea)
	}
	pair := gocv.NewMat()
	defer pair.Close()
	gocv.Hconcat(before, a, &pair)
	gocv.PutText(&pair, "before", image.Pt(10, before.Rows()-12), gocv.FontHersheySimplex, 0.8, textColour, 2)
	gocv.PutText(&pair, "after", image.Pt(before.Cols()+10, before.Rows()-12), gocv.FontHersheySimplex, 0.8, textColour, 2)
	return encodeJPEG(pair)
}

// objectLabel names the object on the annotated picture: its class, its
// track id or how it was found, score and dwell.
func objectLabel(v rules.Violation) string {
	o := v.Object
	how := fmt.Sprintf("#%d", o.TrackID)
	switch o.Kind {
	case rules.FindingPresence:
		how = fmt.Sprintf("presence %.0f%%", o.Occupancy*100)
	case rules.FindingChange:
		how = "changed"
	}
	return fmt.Sprintf("%s %s %.0f%% %s", o.Class, how, o.Score*100, v.Dwell().Round(time.Second))
}
