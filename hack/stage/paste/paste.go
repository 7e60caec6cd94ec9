// Package paste stages test videos: it copies an object cut from a picture
// into a video for a stretch of time, so a test knows exactly where and
// when a "stall" stood.
package paste

import (
	"fmt"
	"image"
	"time"

	"gocv.io/x/gocv"
)

// Object is what to paste and where.
type Object struct {
	Image string          // picture file holding the object
	Crop  image.Rectangle // the object's box in Image
	At    image.Point     // top-left corner in the video frame
	// Scale resizes the object (0 or 1: as cut), to make it as large as
	// such a thing would look at that distance from the camera.
	Scale float64
	// From and For say when, in video time, the object is there.
	From, For time.Duration
}

// Rect is where the object lies in the video frame.
func (o Object) Rect() image.Rectangle {
	s := o.Scale
	if s <= 0 {
		s = 1
	}
	size := image.Pt(int(float64(o.Crop.Dx())*s), int(float64(o.Crop.Dy())*s))
	return image.Rectangle{Min: o.At, Max: o.At.Add(size)}
}

// Video writes out, a copy of in (MJPEG in AVI, which OpenCV writes
// without external codecs) with obj pasted in from obj.From for obj.For.
// With obj.Image empty it writes the plain copy: the control.
func Video(in, out string, obj Object) error {
	vc, err := gocv.VideoCaptureFile(in)
	if err != nil {
		return fmt.Errorf("open %s: %w", in, err)
	}
	defer vc.Close()
	fps := vc.Get(gocv.VideoCaptureFPS)
	w, h := int(vc.Get(gocv.VideoCaptureFrameWidth)), int(vc.Get(gocv.VideoCaptureFrameHeight))
	if fps <= 0 || w <= 0 || h <= 0 {
		return fmt.Errorf("%s: cannot read fps and size", in)
	}
	var patch gocv.Mat
	if obj.Image != "" {
		src := gocv.IMRead(obj.Image, gocv.IMReadColor)
		if src.Empty() {
			return fmt.Errorf("read %s", obj.Image)
		}
		defer src.Close()
		if !obj.Crop.In(image.Rect(0, 0, src.Cols(), src.Rows())) || !obj.Rect().In(image.Rect(0, 0, w, h)) {
			return fmt.Errorf("crop %v of %s or its place %v does not fit", obj.Crop, obj.Image, obj.Rect())
		}
		region := src.Region(obj.Crop)
		defer region.Close()
		patch = gocv.NewMat()
		defer patch.Close()
		gocv.Resize(region, &patch, obj.Rect().Size(), 0, 0, gocv.InterpolationLinear)
	}
	vw, err := gocv.VideoWriterFile(out, "MJPG", fps, w, h, true)
	if err != nil {
		return fmt.Errorf("create %s: %w", out, err)
	}
	defer vw.Close()
	frame := gocv.NewMat()
	defer frame.Close()
	for i := 0; vc.Read(&frame); i++ {
		t := time.Duration(float64(i) / fps * float64(time.Second))
		if obj.Image != "" && t >= obj.From && t < obj.From+obj.For {
			dst := frame.Region(obj.Rect())
			patch.CopyTo(&dst)
			dst.Close()
		}
		if err := vw.Write(frame); err != nil {
			return fmt.Errorf("write %s frame %d: %w", out, i, err)
		}
	}
	return nil
}
