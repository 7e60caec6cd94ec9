package scene

import (
	"fmt"
	"image"
	"math/rand/v2"
	"time"

	"gocv.io/x/gocv"
)

// Write stages scene s over the video in (vtest.avi) into out, H.264 in
// MP4 by ffmpeg (a few MB where OpenCV's MJPEG takes a hundred). bg is the
// empty scene (Background), for occlusion. The same scene always gives
// the same video: shake and rain come from a fixed seed.
func (s Scene) Write(in, out string, bg gocv.Mat) error {
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
	size := s.Size(w, h)
	st, err := s.newStager(bg, size)
	if err != nil {
		return err
	}
	defer st.close()
	enc, err := newEncoder(out, size, fps)
	if err != nil {
		return err
	}
	src := gocv.NewMat()
	defer src.Close()
	for i := 0; vc.Read(&src); i++ {
		t := time.Duration(float64(i) / fps * float64(time.Second))
		frame := st.frame(src, t)
		err := enc.write(frame)
		frame.Close()
		if err != nil {
			enc.abort()
			return fmt.Errorf("write %s frame %d: %w", out, i, err)
		}
	}
	return enc.close()
}

// stager holds what one scene's frames are made with.
type stager struct {
	s     Scene
	size  image.Point
	patch gocv.Mat // the object, sized
	bg    gocv.Mat // the empty scene, for occlusion; empty without
	rng   *rand.Rand
	noise []gocv.Mat // grain frames for rain, centred on 128
}

func (s Scene) newStager(bg gocv.Mat, size image.Point) (*stager, error) {
	st := &stager{s: s, size: size, rng: rand.New(rand.NewPCG(12, uint64(len(s.Name))))}
	patch, err := objectPatch(s.Object)
	if err != nil {
		return nil, err
	}
	st.patch = patch
	st.bg = gocv.NewMat()
	if s.Occlude {
		st.bg.Close()
		st.bg = st.resize(bg)
	}
	if s.Rain {
		st.noise = grain(st.rng, size, 6)
	}
	return st, nil
}

func (st *stager) close() {
	st.patch.Close()
	st.bg.Close()
	for _, n := range st.noise {
		n.Close()
	}
}

// frame makes the scene's frame at video time t from source frame src.
func (st *stager) frame(src gocv.Mat, t time.Duration) gocv.Mat {
	out := st.resize(src)
	from, to := st.s.Stay()
	if t >= from && t < to {
		st.pasteObject(&out)
	}
	if st.s.Dusk > 0 {
		gain := 1 - (1-st.s.Dusk)*min(t.Seconds()/30, 1)
		out.ConvertToWithParams(&out, gocv.MatTypeCV8UC3, float32(gain), 0)
	}
	if st.s.Rain {
		rain(&out, st.rng, st.noise[st.rng.IntN(len(st.noise))])
	}
	if st.s.Shake > 0 {
		shake(&out, st.rng.IntN(2*st.s.Shake+1)-st.s.Shake, st.rng.IntN(2*st.s.Shake+1)-st.s.Shake)
	}
	return out
}

// resize returns a copy of src at the scene's size: for 1080p, scaled 2.5
// times to 1920 wide and cropped to the middle 1080 rows.
func (st *stager) resize(src gocv.Mat) gocv.Mat {
	if src.Cols() == st.size.X && src.Rows() == st.size.Y {
		return src.Clone()
	}
	scale := float64(st.size.X) / float64(src.Cols())
	big := gocv.NewMat()
	defer big.Close()
	gocv.Resize(src, &big, image.Pt(st.size.X, int(float64(src.Rows())*scale)), 0, 0, gocv.InterpolationLinear)
	top := (big.Rows() - st.size.Y) / 2
	r := big.Region(image.Rect(0, top, st.size.X, top+st.size.Y))
	defer r.Close()
	return r.Clone()
}
