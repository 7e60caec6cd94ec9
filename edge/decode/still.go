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

// Remember notes the parameter sets in au without decoding it, for
// ParamSets and for the next keyframe after a Trim.
func (d *Decoder) Remember(au [][]byte) { d.noteParams(au) }

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
	pic, err := newRef(p.frame, p.live)
	if err != nil {
		return nil, fmt.Errorf("keep picture: %w", err)
	}
	return &Still{pic: pic}, nil
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
	return s.key.BGR(0, 0)
}

// decoder is a decoder for k as if trimmed: its Decode takes a parked
// context (idle.go) rather than opening one.
func (k *Keyframe) decoder() *Decoder {
	return &Decoder{codec: k.Codec, c: &codec{name: k.Codec.String()}, trimmed: true, intraOnly: true}
}

// decode decodes k with d, or says why it gave no picture.
func (k *Keyframe) decode(d *Decoder) error {
	ok, err := d.Decode(k.AU)
	if err != nil {
		return fmt.Errorf("decode keyframe: %w", err)
	}
	if !ok {
		return fmt.Errorf("decode keyframe: %w", ErrNoPicture)
	}
	return nil
}

// Picture decodes k, without the loop filter, into a picture that
// remembers k (Keep holds k, not the picture). The caller owns it.
func (k *Keyframe) Picture() (*Picture, error) {
	d := k.decoder()
	defer d.Close()
	if err := k.decode(d); err != nil {
		return nil, err
	}
	pic, err := d.Picture()
	// The context goes back to the idle list for the next keyframe.
	d.Trim()
	if err != nil {
		return nil, err
	}
	pic.SetKeyframe(k)
	return pic, nil
}

// BGR decodes k to a BGR Mat of width x height (0, 0: its size), without
// the loop filter. The caller owns the Mat.
func (k *Keyframe) BGR(width, height int) (gocv.Mat, error) {
	d := k.decoder()
	defer d.Close()
	if err := k.decode(d); err != nil {
		return gocv.Mat{}, err
	}
	m, err := d.BGRResized(width, height)
	d.Trim()
	return m, err
}

// Clone is another Still of the same picture: the same keyframe, or a new
// reference to the picture. Nil for nil.
func (s *Still) Clone() *Still {
	if s == nil {
		return nil
	}
	if s.pic == nil {
		return &Still{key: s.key}
	}
	pic, err := newRef(s.pic.frame, s.pic.live)
	if err != nil {
		return nil
	}
	return &Still{pic: pic}
}

// Picture is the kept picture again: the keyframe decoded (as the first
// time), or a new reference to the picture. The caller owns it.
func (s *Still) Picture() (*Picture, error) {
	if s.pic == nil {
		return s.key.Picture()
	}
	return newRef(s.pic.frame, s.pic.live)
}

// Close frees what the Still holds. Safe on nil and more than once.
func (s *Still) Close() {
	if s == nil {
		return
	}
	s.pic.Close()
	s.pic, s.key = nil, nil
}
