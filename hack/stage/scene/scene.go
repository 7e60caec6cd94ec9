// Package scene stages the hard scenes that the accumulation and region
// work is judged on: a stall on a busy walkway behind passers-by, at dusk,
// small in a 1080p picture, under camera shake and rain, and the control
// that must raise nothing — a person standing still for the whole stay.
// Each scene is vtest.avi with one thing pasted in over a known stretch of
// time at a known place, so a test knows the truth it checks against.
package scene

import (
	"image"
	"time"

	"github.com/xiuhua/xiuhua/hack/stage/paste"
)

// Scene is one staged video and the truth about it.
type Scene struct {
	Name string
	// Object is what is pasted; Violation says whether it is one (a chair
	// on the walkway) or a control (a person standing still).
	Object    paste.Object
	Violation bool
	// Zone is the rule's polygon, in fractions of the frame.
	Zone [][2]float64
	// Height, when set, scales the video to 1920×1080 (cropping to 16:9)
	// before the object is pasted at its own size: the object is then as
	// small, in the model's 416-pixel input, as on a real 1080p camera.
	Height int
	// Occlude keeps passers-by in front of the object.
	Occlude bool
	// Dusk is the light at the end of a fade over the first 30 s, as a
	// fraction of daylight (0: no fade).
	Dusk float64
	// Shake moves every frame by up to this many pixels.
	Shake int
	// Rain draws streaks and grain over every frame.
	Rain bool
	// MaxTiles is the camera's max_tiles for this scene (0: the default).
	// The 1080p walkway is 800×570 pixels: at 2 tiles (1 is the default) the
	// detector sees it at 0.7 of its size, where the 100-pixel chair
	// scores about 0.3 at best; 6 tiles look at it at its own size, where
	// it scores about 0.7.
	MaxTiles int
}

// Stay is when the staged object is there, in video time.
func (s Scene) Stay() (from, to time.Duration) { return s.Object.From, s.Object.From + s.Object.For }

// Truth is where the staged object lies in the output frame.
func (s Scene) Truth() image.Rectangle { return s.Object.Rect() }

// Size is the output frame size for a w×h input.
func (s Scene) Size(w, h int) image.Point {
	if s.Height == 1080 {
		return image.Pt(1920, 1080)
	}
	return image.Pt(w, h)
}

// walkway is the road across vtest.avi's plaza, right of the lamp post,
// where most passers-by walk: the zone of every scene but the 1080p one.
var walkway = [][2]float64{{0.55, 0.38}, {0.97, 0.38}, {0.97, 0.78}, {0.55, 0.78}}

// walkway1080 is the same road in the 1080p picture.
var walkway1080 = [][2]float64{{0.55, 0.34}, {0.97, 0.34}, {0.97, 0.87}, {0.55, 0.87}}

// The stay: long enough for a dwell of 10 s plus the 15 s the scene test
// allows, short enough that one pass of the 79.5 s video holds it with the
// object gone for a while before the loop.
const (
	from = 15 * time.Second
	stay = 45 * time.Second
)

// All are the scenes, built from testdata's COCO picture of a living room
// (the chair) and vtest.avi itself (the standing person, cut from frame
// 200 as personImage).
func All(chairImage, personImage string) []Scene {
	chair := paste.Object{Image: chairImage, Crop: image.Rect(370, 210, 446, 320), At: image.Pt(585, 250), Scale: 1, From: from, For: stay}
	person := paste.Object{Image: personImage, Crop: PersonCrop, At: image.Pt(560, 255), Scale: 1, From: from, For: stay}
	// At 1080p the road lies 2.5 times as large, cropped by 180 rows: the
	// chair stands at the same place, about 100 pixels tall.
	small := chair
	small.At, small.Scale = image.Pt(1460, 470), 0.9
	return []Scene{
		{Name: "occluded", Object: chair, Violation: true, Zone: walkway, Occlude: true},
		{Name: "dusk", Object: chair, Violation: true, Zone: walkway, Occlude: true, Dusk: 0.4},
		{Name: "small1080", Object: small, Violation: true, Zone: walkway1080, Occlude: true, Height: 1080, MaxTiles: 6},
		{Name: "shake", Object: chair, Violation: true, Zone: walkway, Occlude: true, Shake: 4},
		{Name: "rain", Object: chair, Violation: true, Zone: walkway, Occlude: true, Rain: true},
		{Name: "standing", Object: person, Violation: false, Zone: walkway},
	}
}

// PersonFrame and PersonCrop are where the standing person is cut from:
// a passer-by on the road in vtest.avi at 20 s.
const PersonFrame = 200

// PersonCrop is the person's box in frame PersonFrame.
var PersonCrop = image.Rect(613, 262, 653, 370)
