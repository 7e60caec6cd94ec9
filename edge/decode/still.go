package decode

import (
	"fmt"

	"gocv.io/x/gocv"
)

// Keyframe is a keyframe access unit behind the parameter sets it needs:
// enough to decode its picture again, from nothing. At 1080p it is tens to
// a few hundred KB, against 3 MB for the decoded picture.
type Keyframe struct {
	Codec Codec
	AU    [][]byte // NAL units without start codes; never modified
}

// ParamSets are copies of the last VPS, SPS and PPS the decoder saw, in
// decoding order (those it has).
func (d *Decoder) ParamSets() [][]byte {
	var out [][]byte
	for _, p := range d.params {
		if len(p) > 0 {
			out = append(out, append([]byte(nil), p...))
		}
	}
	return out
}

// SetKeyframe records that the picture was decoded from k alone (a
// keyframes-only decode), so Keep can hold k instead of the picture.
func (p *Picture) SetKeyframe(k *Keyframe) { p.key = k }

// Still is a picture kept for later use (a track's best sighting for its
// evidence): the keyframe it was decoded from when there is one, else a
// reference to the decoded picture. Close it when done.
type Still struct {
	key *Keyframe
	pic *Picture
}

// Keep returns a Still of p that outlives p.
func (p *Picture) Keep() (*Still, error) {
	if p.key != nil {
		return &Still{key: p.key}, nil
	}
	if p.frame == nil {
		return nil, ErrNoPicture
	}
	f := cloneFrame(p.frame)
	if f == nil {
		return nil, fmt.Errorf("keep picture: out of memory")
	}
	return &Still{pic: &Picture{frame: f}}, nil
}

// Compressed says whether the Still holds a keyframe rather than a picture.
func (s *Still) Compressed() bool { return s.key != nil }

// BGR is the kept picture at full size; a kept keyframe is decoded again,
// as it was the first time (without the loop filter), so the picture is
// the same. The caller owns the Mat.
func (s *Still) BGR() (gocv.Mat, error) {
	if s.pic != nil {
		return s.pic.Convert(nil, s.pic.wholeRect(), 0, 0)
	}
	d, err := New(s.key.Codec)
	if err != nil {
		return gocv.Mat{}, err
	}
	defer d.Close()
	d.SetIntraOnly(true)
	ok, err := d.Decode(s.key.AU)
	if err != nil {
		return gocv.Mat{}, fmt.Errorf("decode kept keyframe: %w", err)
	}
	if !ok {
		return gocv.Mat{}, fmt.Errorf("decode kept keyframe: %w", ErrNoPicture)
	}
	return d.BGR()
}

// Close frees what the Still holds. Safe on nil and more than once.
func (s *Still) Close() {
	if s == nil {
		return
	}
	s.pic.Close()
	s.pic, s.key = nil, nil
}
