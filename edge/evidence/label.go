package evidence

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"

	"gocv.io/x/gocv"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// DefaultFont is Debian's Droid Sans Fallback (fonts-droid-fallback, which
// hack/setup.sh installs): OpenCV's own Hershey fonts have no Chinese.
const DefaultFont = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"

// LatinFont is DejaVu Sans (fonts-dejavu-core): Droid Sans Fallback has
// no Latin letters, digits or the middle dot, and draws a box for each.
const LatinFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

// TypeNames are the Chinese names officers know the violation types by.
var TypeNames = map[string]string{
	"street_vending":    "占道经营",
	"outside_store":     "出店经营",
	"street_laundry":    "沿街晾晒",
	"illegal_structure": "乱搭乱建",
	"demo_linger":       "演示·逗留",
}

// Labeler draws text in any script with TrueType faces: each character
// in the first face that has it. Not safe for concurrent use (font faces
// cache glyphs); one per camera chain.
type Labeler struct {
	faces []labelFace
}

type labelFace struct {
	face font.Face
	font *sfnt.Font
}

// NewLabeler loads the fonts at paths (.ttf, .otf or .ttc collections,
// whose first face is used) at size pixels. The first is required; a later
// one that cannot be loaded is skipped, at the cost of boxes for the
// characters only it has.
func NewLabeler(size float64, paths ...string) (*Labeler, error) {
	if len(paths) == 0 {
		return nil, fmt.Errorf("label font: none given")
	}
	l := &Labeler{}
	for i, path := range paths {
		f, err := loadFace(path, size)
		if err != nil && i == 0 {
			return nil, err
		}
		if err == nil {
			l.faces = append(l.faces, f)
		}
	}
	return l, nil
}

func loadFace(path string, size float64) (labelFace, error) {
	f, err := parsedFont(path)
	if err != nil {
		return labelFace{}, err
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return labelFace{}, fmt.Errorf("label font %s: %w", path, err)
	}
	return labelFace{face: face, font: f}, nil
}

// faceFor returns the first face that has a glyph for r, or the first face.
func (l *Labeler) faceFor(r rune) font.Face {
	var buf sfnt.Buffer
	for _, f := range l.faces {
		if i, err := f.font.GlyphIndex(&buf, r); err == nil && i != 0 {
			return f.face
		}
	}
	return l.faces[0].face
}

// measure is the advance of text, each character in its face.
func (l *Labeler) measure(text string) fixed.Int26_6 {
	var w fixed.Int26_6
	for _, r := range text {
		a, _ := l.faceFor(r).GlyphAdvance(r)
		w += a
	}
	return w
}

// Draw writes text on m with its top-left corner at at, in fg over a dark
// band so it stays legible on any background.
func (l *Labeler) Draw(m *gocv.Mat, text string, at image.Point, fg color.RGBA) error {
	metrics := l.faces[0].face.Metrics()
	w := l.measure(text).Ceil() + 8
	h := (metrics.Ascent + metrics.Descent).Ceil() + 4
	r := image.Rect(at.X, at.Y, at.X+w, at.Y+h).Intersect(image.Rect(0, 0, m.Cols(), m.Rows()))
	if r.Empty() {
		return nil
	}
	canvas := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	draw.Draw(canvas, canvas.Bounds(), image.NewUniform(color.RGBA{A: 255}), image.Point{}, draw.Src)
	d := font.Drawer{Dst: canvas, Src: image.NewUniform(fg),
		Dot: fixed.Point26_6{X: fixed.I(4), Y: metrics.Ascent + fixed.I(2)}}
	for _, r := range text {
		d.Face = l.faceFor(r)
		d.DrawString(string(r))
	}
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
