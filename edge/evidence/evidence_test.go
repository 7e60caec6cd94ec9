package evidence

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gocv.io/x/gocv"

	"github.com/xiuhua/xiuhua/edge/rules"
	"github.com/xiuhua/xiuhua/edge/vision"
	"github.com/xiuhua/xiuhua/internal/geo"
	"github.com/xiuhua/xiuhua/internal/testdata"
)

func violation() rules.Violation {
	at := time.Date(2026, 11, 23, 8, 0, 30, 0, time.UTC)
	return rules.Violation{
		Zone:   rules.Zone{ID: "plaza", Polygon: []rules.Point{{X: 0.1, Y: 0.1}, {X: 0.9, Y: 0.1}, {X: 0.9, Y: 0.9}}},
		Rule:   rules.Rule{ID: "linger", Type: "demo_linger"},
		Object: rules.Finding{TrackID: 7, Class: "person", Score: 0.8, Box: vision.Box{X1: 100, Y1: 80, X2: 180, Y2: 300}},
		Since:  at.Add(-30 * time.Second),
		At:     at,
	}
}

func TestSnapshotsKeepRawFrameAndAnnotateCopy(t *testing.T) {
	frame := gocv.IMRead(testdata.Path(t, "images", "000000000785.jpg"), gocv.IMReadColor)
	require.False(t, frame.Empty())
	defer frame.Close()
	before := frame.Clone()
	defer before.Close()

	raw, annotated, err := Snapshots(frame, "cam1", violation())
	require.NoError(t, err)

	for name, b := range map[string][]byte{"raw": raw, "annotated": annotated} {
		img, err := jpeg.Decode(bytes.NewReader(b))
		require.NoError(t, err, name)
		require.Equal(t, frame.Cols(), img.Bounds().Dx(), name)
		require.Equal(t, frame.Rows(), img.Bounds().Dy(), name)
	}
	require.NotEqual(t, raw, annotated, "the annotated copy shows nothing")

	diff := gocv.NewMat()
	defer diff.Close()
	gocv.AbsDiff(frame, before, &diff)
	require.Zero(t, gocv.CountNonZero(diff.Reshape(1, 0)), "Snapshots drew on the caller's frame")

	// The box is drawn in red where the object is; the raw frame is not.
	ann, err := gocv.IMDecode(annotated, gocv.IMReadColor)
	require.NoError(t, err)
	defer ann.Close()
	px := ann.GetVecbAt(200, 100) // on the box's left edge
	require.Greater(t, int(px[2]), 150, "no red box edge at the object: BGR %v", px)
}

func TestSnapshotsRefuseEmptyFrame(t *testing.T) {
	m := gocv.NewMat()
	defer m.Close()
	_, _, err := Snapshots(m, "cam1", violation())
	require.ErrorContains(t, err, "empty frame")
}

func TestReport(t *testing.T) {
	src := Source{DeviceID: "edge-1", CameraID: "cam1", Model: vision.ModelInfo{Name: "yolox-nano", Version: "0.1.1", SHA256: "abc"}}
	v := violation()
	r := Report(src, v, 768, 576)
	require.True(t, strings.HasPrefix(r.EventId, "edge-1_cam1_"), r.EventId)
	require.NotEqual(t, r.EventId, Report(src, v, 768, 576).EventId, "event ids must be unique")
	require.Equal(t, 30.0, r.DwellSeconds)
	require.Equal(t, "demo_linger", r.ViolationType)
	require.Equal(t, v.At, r.ObservedAt.AsTime())
	require.Equal(t, float32(80), r.Detections[0].Box.Width)
	require.Equal(t, uint64(7), r.Detections[0].TrackId)
	require.Equal(t, "yolox-nano", r.Model.Name)
}

func TestReportPlacesTheObjectWhenTheCameraIsCalibrated(t *testing.T) {
	// Image corners of a 768×576 frame looking straight down on a patch
	// 76.8 m × 57.6 m: 10 pixels a metre.
	origin := geo.Point{Lat: 31.23, Lon: 121.47}
	north := func(m float64) float64 { return m / 111195 }
	east := func(m float64) float64 { return m / (111195 * math.Cos(origin.Lat*math.Pi/180)) }
	at := func(x, y float64) geo.Calibration {
		return geo.Calibration{X: x, Y: y, Ground: geo.Point{Lat: origin.Lat - north(y/10), Lon: origin.Lon + east(x/10)}}
	}
	h, err := geo.NewHomography([]geo.Calibration{at(0, 0), at(768, 0), at(768, 576), at(0, 576)})
	require.NoError(t, err)

	v := violation()
	v.Object.BestScore, v.Object.MeanScore = 0.9, 0.7
	r := Report(Source{DeviceID: "e", CameraID: "c", Ground: h}, v, 768, 576)
	require.Equal(t, float32(0.9), r.BestScore)
	require.Equal(t, float32(0.7), r.MeanScore)
	require.Equal(t, MethodDetection, r.Method)
	require.NotNil(t, r.ObjectLocation)
	// The foot point (140, 300) is 14 m east and 30 m south of the origin.
	want := geo.Point{Lat: origin.Lat - north(30), Lon: origin.Lon + east(14)}
	require.Less(t, geo.Distance(geo.Point{Lat: r.ObjectLocation.Lat, Lon: r.ObjectLocation.Lon}, want), 0.5)

	uncalibrated := Report(Source{DeviceID: "e", CameraID: "c"}, v, 768, 576)
	require.Nil(t, uncalibrated.ObjectLocation)
}

func TestBeforeAfterPutsBothPicturesSideBySide(t *testing.T) {
	before := gocv.IMRead(testdata.Path(t, "images", "000000000785.jpg"), gocv.IMReadColor)
	defer before.Close()
	after := gocv.NewMat()
	defer after.Close()
	gocv.Resize(before, &after, image.Pt(before.Cols()/2, before.Rows()/2), 0, 0, gocv.InterpolationArea)
	b, err := BeforeAfter(before, after)
	require.NoError(t, err)
	img, err := jpeg.Decode(bytes.NewReader(b))
	require.NoError(t, err)
	require.Equal(t, before.Rows(), img.Bounds().Dy())
	require.InDelta(t, 2*before.Cols(), img.Bounds().Dx(), 2, "the smaller after picture is scaled to the same height")
	_, err = BeforeAfter(gocv.NewMat(), after)
	require.ErrorContains(t, err, "empty picture")
}

func TestAnnotatorWritesTheTypeInChinese(t *testing.T) {
	l, err := NewLabeler(20, DefaultFont, LatinFont)
	require.NoError(t, err, "the CJK font is installed by hack/setup.sh (fonts-droid-fallback)")
	require.Len(t, l.faces, 2, "the Latin font is installed by hack/setup.sh (fonts-dejavu-core)")
	frame := gocv.IMRead(testdata.Path(t, "images", "000000000785.jpg"), gocv.IMReadColor)
	defer frame.Close()
	v := violation()
	v.Rule.Type = "street_vending"

	_, plain, err := Snapshots(frame, "cam1", v)
	require.NoError(t, err)
	_, chinese, err := Annotator{Labeler: l}.Snapshots(frame, "cam1", v)
	require.NoError(t, err)
	a, err := gocv.IMDecode(plain, gocv.IMReadColor)
	require.NoError(t, err)
	defer a.Close()
	b, err := gocv.IMDecode(chinese, gocv.IMReadColor)
	require.NoError(t, err)
	defer b.Close()

	// The label band below the header differs; the rest of the picture
	// does not.
	band := image.Rect(0, 26, 200, 50)
	require.Greater(t, changed(a, b, band), 0.2, "no label drawn")
	require.Less(t, changed(a, b, image.Rect(300, 100, 600, 400)), 0.01, "the label spilled over the picture")

	// The glyphs are real: 占 and a Latin letter do not render the same.
	m1, m2 := gocv.NewMatWithSize(40, 60, gocv.MatTypeCV8UC3), gocv.NewMatWithSize(40, 60, gocv.MatTypeCV8UC3)
	defer m1.Close()
	defer m2.Close()
	require.NoError(t, l.Draw(&m1, "占", image.Pt(0, 0), color.RGBA{R: 255, G: 255, B: 255, A: 255}))
	require.NoError(t, l.Draw(&m2, "x", image.Pt(0, 0), color.RGBA{R: 255, G: 255, B: 255, A: 255}))
	require.Greater(t, changed(m1, m2, image.Rect(0, 0, 30, 30)), 0.05)
	// Latin letters come from the Latin font: the CJK one alone draws the
	// same empty box for every one of them.
	m3 := gocv.NewMatWithSize(40, 60, gocv.MatTypeCV8UC3)
	defer m3.Close()
	require.NoError(t, l.Draw(&m3, "o", image.Pt(0, 0), color.RGBA{R: 255, G: 255, B: 255, A: 255}))
	require.Greater(t, changed(m2, m3, image.Rect(0, 0, 30, 30)), 0.02, "x and o look alike: boxes?")

	_, err = NewLabeler(20, "/no/such/font.ttc")
	require.ErrorContains(t, err, "label font")
}

// changed is the fraction of pixels in r that differ between a and b.
func changed(a, b gocv.Mat, r image.Rectangle) float64 {
	ra, rb := a.Region(r), b.Region(r)
	defer ra.Close()
	defer rb.Close()
	d, grey := gocv.NewMat(), gocv.NewMat()
	defer d.Close()
	defer grey.Close()
	gocv.AbsDiff(ra, rb, &d)
	gocv.CvtColor(d, &grey, gocv.ColorBGRToGray)
	gocv.Threshold(grey, &grey, 30, 255, gocv.ThresholdBinary)
	return float64(gocv.CountNonZero(grey)) / float64(r.Dx()*r.Dy())
}

// TestReportByFinding: how a violation was found decides the report's
// method, and only a track finding has a track id; the annotated label
// says how it was found.
func TestReportByFinding(t *testing.T) {
	cases := []struct {
		kind   rules.FindingKind
		method string
		label  string
	}{
		{rules.FindingTrack, MethodDetection, "chair #7 80% 30s"},
		{rules.FindingPresence, MethodDetection, "chair presence 35% 80% 30s"},
		{rules.FindingChange, MethodChange, "chair changed 80% 30s"},
	}
	for _, tc := range cases {
		t.Run(tc.kind.String(), func(t *testing.T) {
			v := violation()
			v.Object.Kind, v.Object.Class, v.Object.Occupancy = tc.kind, "chair", 0.35
			if tc.kind != rules.FindingTrack {
				v.Object.TrackID = 0
			}
			r := Report(Source{DeviceID: "e", CameraID: "c"}, v, 768, 576)
			require.Equal(t, tc.method, r.Method)
			require.Equal(t, v.Object.TrackID, r.Detections[0].TrackId)
			require.Equal(t, "chair", r.Detections[0].ClassName)
			require.Equal(t, tc.label, objectLabel(v))
		})
	}
}

// TestLabelersShareParsedFonts: every camera's Labeler is its own, but
// the font file is parsed once (the Chinese one is 4 MiB).
func TestLabelersShareParsedFonts(t *testing.T) {
	a, err := NewLabeler(20, DefaultFont, LatinFont)
	require.NoError(t, err)
	b, err := NewLabeler(20, DefaultFont, LatinFont)
	require.NoError(t, err)
	require.NotSame(t, a, b)
	require.Same(t, a.faces[0].font, b.faces[0].font, "one parsed font")
	require.NotEqual(t, fmt.Sprintf("%p", a.faces[0].face), fmt.Sprintf("%p", b.faces[0].face), "faces of their own")
}
