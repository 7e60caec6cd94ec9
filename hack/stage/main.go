// Command stage builds staged test videos: an object cut from a picture,
// pasted into a video for a stretch of time.
//
//	go run ./hack/stage -in vtest.avi -out staged.avi \
//	    -image 000000000139.jpg -crop 370,210,446,320 -scale 1.6 -at 30,384 -from 10s -for 60s
//
// or the hard scenes of package scene, all at once:
//
//	go run ./hack/stage -in vtest.avi -image 000000000139.jpg -scenes DIR
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/xiuhua/xiuhua/hack/stage/paste"
	"github.com/xiuhua/xiuhua/hack/stage/scene"
)

func main() {
	in := flag.String("in", "", "input video")
	out := flag.String("out", "", "output video (.avi, MJPEG)")
	img := flag.String("image", "", "picture holding the object; empty writes a plain copy")
	crop := flag.String("crop", "", "the object's box in the picture: x1,y1,x2,y2")
	at := flag.String("at", "", "top-left corner in the video: x,y")
	from := flag.Duration("from", 10*time.Second, "when the object appears")
	dur := flag.Duration("for", 60*time.Second, "how long it stays")
	scale := flag.Float64("scale", 1, "resize the object by this factor")
	scenes := flag.String("scenes", "", "write the hard scenes (package scene) into this folder, with -in vtest.avi and -image the chair picture")
	flag.Parse()
	if *scenes != "" {
		os.Exit(writeScenes(*in, *img, *scenes))
	}
	obj := paste.Object{Image: *img, From: *from, For: *dur, Scale: *scale}
	if *img != "" {
		if _, err := fmt.Sscanf(*crop, "%d,%d,%d,%d", &obj.Crop.Min.X, &obj.Crop.Min.Y, &obj.Crop.Max.X, &obj.Crop.Max.Y); err != nil {
			fmt.Fprintln(os.Stderr, "stage: -crop wants x1,y1,x2,y2:", err)
			os.Exit(2)
		}
		if _, err := fmt.Sscanf(*at, "%d,%d", &obj.At.X, &obj.At.Y); err != nil {
			fmt.Fprintln(os.Stderr, "stage: -at wants x,y:", err)
			os.Exit(2)
		}
	}
	if *in == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "stage: -in and -out are required")
		os.Exit(2)
	}
	if err := paste.Video(*in, *out, obj); err != nil {
		fmt.Fprintln(os.Stderr, "stage:", err)
		os.Exit(1)
	}
	fmt.Printf("wrote %s (object at %v from %v for %v)\n", *out, obj.Rect(), obj.From, obj.For)
}

// writeScenes writes the hard scenes into dir.
func writeScenes(vtest, chair, dir string) int {
	all, err := scene.Build(vtest, chair, dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "stage:", err)
		return 1
	}
	for _, s := range all {
		fmt.Printf("wrote %s (%s at %v)\n", s.File(dir), s.Object.Image, s.Truth())
	}
	return 0
}
