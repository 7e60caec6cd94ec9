package main

import (
	"context"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"time"

	"github.com/xiuhua/xiuhua/hack/camsim/sim"
	"github.com/xiuhua/xiuhua/hack/stage/paste"
	"github.com/xiuhua/xiuhua/internal/testdata"
)

// edgeStream makes (once, cached) the edge bench's camera stream: the
// staged street-vending video (vtest.avi with a chair left on the lawn,
// as in the demo) scaled to 1080 lines, H.264, 25 fps, an IDR every 2 s.
func edgeStream(ctx context.Context, cacheDir string) (string, error) {
	dir, err := testdata.Dir()
	if err != nil {
		return "", err
	}
	media := filepath.Join(cacheDir, "media")
	if err := os.MkdirAll(media, 0o755); err != nil {
		return "", err
	}
	staged := filepath.Join(media, "bench-edge-chair-v1.avi")
	if _, err := os.Stat(staged); err != nil {
		fmt.Fprintln(os.Stderr, "bench edge: staging the street-vending video once...")
		tmp := staged + ".partial.avi"
		obj := paste.Object{
			Image: filepath.Join(dir, "images", "000000000139.jpg"),
			Crop:  image.Rect(370, 210, 446, 320), Scale: 1.6, At: image.Pt(30, 384),
			From: 10 * time.Second, For: 60 * time.Second,
		}
		if err := paste.Video(filepath.Join(dir, "media", "vtest.avi"), tmp, obj); err != nil {
			return "", fmt.Errorf("stage the video: %w", err)
		}
		if err := os.Rename(tmp, staged); err != nil {
			return "", err
		}
	}
	fmt.Fprintln(os.Stderr, "bench edge: transcoding to 1080p H.264 (cached after the first run)...")
	return sim.TranscodeWith(ctx, staged, cacheDir, sim.TranscodeOptions{Codec: sim.CodecH264, Height: 1080, FPS: 25, KeyframeSeconds: 2})
}
