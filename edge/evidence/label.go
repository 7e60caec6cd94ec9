package evidence

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"os"

	"gocv.io/x/gocv"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// DefaultFont is Debian's Droid Sans Fallback (fonts-droid-fallback, which
// hack/setup.sh installs): OpenCV's own Hershey fonts have no Chinese.
const DefaultFont = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"

// TypeNames are the Chinese names officers know the violation types by.
var TypeNames = map[string]string{
	"street_vending":    "占道经营",
	"outside_store":     "出店经营",
	"street_laundry":    "沿街晾晒",
	"illegal_structure": "乱搭乱建",
	"demo_linger":       "演示·逗留",
}

// Labeler draws text in any script with a TrueType face. Not safe for
// concurrent use (font faces cache glyphs); one per camera chain.
type Labeler struct {
	face font.Face
}

// NewLabeler loads the font at path (a .ttf, .otf or .ttc collection, whose
// first face is used) at size pixels.
func NewLabeler(path string, size float64) (*Labeler, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("label font: %w", err)
	}
	coll, err := opentype.ParseCollection(data)
	if err != nil {
		return nil, fmt.Errorf("label font %s: %w", path, err)
	}
	f, err := coll.Font(0)
	if err != nil {
		return nil, fmt.Errorf("label font %s: %w", path, err)
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, fmt.Errorf("label font %s: %w", path, err)
	}
	return &Labeler{face: face}, nil
}

// Draw writes text on m with its top-left corner at at, in fg over a dark
// band so it stays legible on any background.
func (l *Labeler) Draw(m *gocv.Mat, text string, at image.Point, fg color.RGBA) error {
	metrics := l.face.Metrics()
	w := font.MeasureString(l.face, text).Ceil() + 8
	h := (metrics.Ascent + metrics.Descent).Ceil() + 4
	r := image.Rect(at.X, at.Y, at.X+w, at.Y+h).Intersect(image.Rect(0, 0, m.Cols(), m.Rows()))
	if r.Empty() {
		return nil
	}
	canvas := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	draw.Draw(canvas, canvas.Bounds(), image.NewUniform(color.RGBA{A: 255}), image.Point{}, draw.Src)
	d := font.Drawer{Dst: canvas, Src: image.NewUniform(fg), Face: l.face,
		Dot: fixed.Point26_6{X: fixed.I(4), Y: metrics.Ascent + fixed.I(2)}}
	d.DrawString(text)
	rgba, err := gocv.ImageToMatRGBA(canvas)
	if err != nil {
		return fmt.Errorf("draw label: %w", err)
	}
	defer rgba.Close()
	bgr := gocv.NewMat()
	defer bgr.Close()
	gocv.CvtColor(rgba, &bgr, gocv.ColorRGBAToBGR)
	dst := m.Region(r)
	defer dst.Close()
	bgr.CopyTo(&dst)
	return nil
}
