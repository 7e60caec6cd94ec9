package sim

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// transcodeVersion is part of the cache key: change it whenever the ffmpeg
// settings change, so that old transcodes are not reused.
const transcodeVersion = "h264-main-nobf-idr1s-ts-v1"

// transcodeArgs turns any video into what a typical IP camera sends: H.264
// main profile, 4:2:0, no B-frames, an IDR picture every second (so a client
// that joins waits at most a second), SPS/PPS repeated before each IDR (the
// MPEG-TS muxer asks libx264 for in-band headers), no audio.
func transcodeArgs(src, dst string) []string {
	return []string{
		"-nostdin", "-hide_banner", "-loglevel", "error", "-y",
		"-i", src,
		"-map", "0:v:0", "-an", "-sn", "-dn",
		// libx264 with 4:2:0 needs even dimensions.
		"-vf", "scale=trunc(iw/2)*2:trunc(ih/2)*2",
		"-c:v", "libx264", "-preset", "veryfast", "-profile:v", "main", "-pix_fmt", "yuv420p",
		"-bf", "0",
		// One IDR per second whatever the frame rate; no extra scene-cut
		// keyframes, so the GOP is regular like a camera's.
		"-force_key_frames", "expr:gte(t,n_forced*1)", "-forced-idr", "1",
		"-g", "600", "-sc_threshold", "0",
		"-f", "mpegts", dst,
	}
}

// Transcode returns the path of an H.264 MPEG-TS copy of src, made with
// ffmpeg the first time and cached in cacheDir/media under a name keyed by
// src's content. The copy is written to a temporary file and renamed, so a
// crash never leaves a half file under the final name; concurrent callers
// (parallel test packages) wait for one another instead of transcoding twice.
func Transcode(ctx context.Context, src, cacheDir string) (string, error) {
	key, err := contentKey(src)
	if err != nil {
		return "", fmt.Errorf("transcode %s: %w", src, err)
	}
	dir := filepath.Join(cacheDir, "media")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("transcode %s: %w", src, err)
	}
	stem := strings.TrimSuffix(filepath.Base(src), filepath.Ext(src))
	dst := filepath.Join(dir, fmt.Sprintf("%s-%s.ts", stem, key[:16]))
	if fileExists(dst) {
		return dst, nil
	}

	unlock, err := lockFile(dst + ".lock")
	if err != nil {
		return "", fmt.Errorf("transcode %s: %w", src, err)
	}
	defer unlock()
	if fileExists(dst) { // made by another process while we waited
		return dst, nil
	}

	tmp, err := os.CreateTemp(dir, stem+"-*.ts.partial")
	if err != nil {
		return "", fmt.Errorf("transcode %s: %w", src, err)
	}
	tmpName := tmp.Name()
	tmp.Close()
	defer os.Remove(tmpName) // no-op after a successful rename

	cmd := exec.CommandContext(ctx, "ffmpeg", transcodeArgs(src, tmpName)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("transcode %s with ffmpeg: %w: %s", src, err, strings.TrimSpace(tail(out.String(), 2000)))
	}
	// CreateTemp makes 0600 files; the cache is shared with other users' tools.
	if err := os.Chmod(tmpName, 0o644); err != nil {
		return "", fmt.Errorf("transcode %s: %w", src, err)
	}
	if err := syncFile(tmpName); err != nil {
		return "", fmt.Errorf("transcode %s: %w", src, err)
	}
	if err := os.Rename(tmpName, dst); err != nil {
		return "", fmt.Errorf("transcode %s: %w", src, err)
	}
	return dst, nil
}

// contentKey hashes the settings version and src's bytes. Hashing the
// content (not the name or mtime) means a replaced file is transcoded again
// and a copy elsewhere reuses the cache.
func contentKey(src string) (string, error) {
	f, err := os.Open(src)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	io.WriteString(h, transcodeVersion+"\n")
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular() && st.Size() > 0
}

// syncFile flushes a finished file to disk before it is renamed into place.
func syncFile(p string) error {
	f, err := os.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}
