package main

import (
	"context"
	"errors"
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/xiuhua/xiuhua/edge/detect"
	"github.com/xiuhua/xiuhua/hack/camsim/sim"
	"github.com/xiuhua/xiuhua/internal/testdata"
)

// openBenchModel opens the real YOLOX-Nano from the test data, as the
// edge would with model.threads set to threads.
func openBenchModel(threads int) (detect.Detector, image.Point, error) {
	root, err := testdata.RepoRoot()
	if err != nil {
		return nil, image.Point{}, err
	}
	td, err := testdata.Dir()
	if err != nil {
		return nil, image.Point{}, err
	}
	yml, err := os.ReadFile(filepath.Join(root, "models", "yolox-nano.yaml"))
	if err != nil {
		return nil, image.Point{}, err
	}
	m, err := detect.ParseManifest(yml, filepath.Join(td, "models"))
	if err != nil {
		return nil, image.Point{}, err
	}
	det, err := detect.Open(m, detect.Options{IntraOpThreads: threads})
	return det, image.Pt(m.Input.Width, m.Input.Height), err
}

// keyframes1080 returns the keyframes of vtest.avi scaled to 1920×1080
// and encoded with a keyframe every 2 s and no B-frames, as a street
// camera sends; made
// with ffmpeg once and cached.
func keyframes1080() ([][][]byte, error) {
	td, err := testdata.Dir()
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(testdata.CacheDir(), "media")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	ts := filepath.Join(dir, "vtest-1920x1080-key2s-nob.ts")
	if _, err := os.Stat(ts); err != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		tmp := ts + ".tmp.ts"
		cmd := exec.CommandContext(ctx, "ffmpeg", "-loglevel", "error", "-y", "-i", filepath.Join(td, "media", "vtest.avi"),
			"-t", "20", "-vf", "scale=1920:1080", "-c:v", "libx264", "-preset", "veryfast", "-b:v", "4M",
			"-bf", "0", "-g", "20", "-keyint_min", "20", "-sc_threshold", "0", "-an", "-f", "mpegts", tmp)
		if b, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("ffmpeg: %w: %s", err, b)
		}
		if err := os.Rename(tmp, ts); err != nil {
			return nil, err
		}
	}
	var keys [][][]byte
	err = sim.ReadAccessUnits(ts, func(_, _ int64, au [][]byte) error {
		for _, n := range au {
			if len(n) > 0 && n[0]&0x1f == 5 { // an IDR slice
				cp := make([][]byte, len(au)) // the reader may reuse its buffers
				for i, n := range au {
					cp[i] = append([]byte(nil), n...)
				}
				keys = append(keys, cp)
				break
			}
		}
		return nil
	})
	if err == nil && len(keys) == 0 {
		err = errors.New("no keyframes")
	}
	return keys, err
}
