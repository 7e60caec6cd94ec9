package sim

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Pattern describes a synthetic source clip: ffmpeg's testsrc2 (moving
// colour bars, a counter, a moving gradient) with light temporal noise, so
// that every frame differs as a real sensor's do and P-frames are not free.
type Pattern struct {
	Width, Height, FPS int
	Seconds            int
}

// MakePattern writes the clip once as a near-lossless MPEG-4 Part 2 AVI
// into cacheDir/media and returns its path; feed it to TranscodeWith. Tests
// use it for short, small clips; the ingest benchmark for 1080p.
func MakePattern(ctx context.Context, cacheDir string, p Pattern) (string, error) {
	if p.Width <= 0 || p.Height <= 0 || p.FPS <= 0 || p.Seconds <= 0 {
		return "", fmt.Errorf("pattern %+v: every field must be positive", p)
	}
	dir := filepath.Join(cacheDir, "media")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("make pattern: %w", err)
	}
	dst := filepath.Join(dir, fmt.Sprintf("pattern-%dx%d-%dfps-%ds-v1.avi", p.Width, p.Height, p.FPS, p.Seconds))
	if fileExists(dst) {
		return dst, nil
	}
	unlock, err := lockFile(dst + ".lock")
	if err != nil {
		return "", fmt.Errorf("make pattern: %w", err)
	}
	defer unlock()
	if fileExists(dst) {
		return dst, nil
	}
	tmp := dst + ".partial.avi"
	defer os.Remove(tmp)
	src := fmt.Sprintf("testsrc2=size=%dx%d:rate=%d,noise=alls=12:allf=t", p.Width, p.Height, p.FPS)
	cmd := exec.CommandContext(ctx, "ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
		"-f", "lavfi", "-i", src, "-t", fmt.Sprint(p.Seconds), "-c:v", "mpeg4", "-q:v", "2", tmp)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("make pattern with ffmpeg: %w: %s", err, strings.TrimSpace(tail(out.String(), 2000)))
	}
	if err := syncFile(tmp); err != nil {
		return "", fmt.Errorf("make pattern: %w", err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		return "", fmt.Errorf("make pattern: %w", err)
	}
	return dst, nil
}
