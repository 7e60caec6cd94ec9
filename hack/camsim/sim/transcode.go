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

// Codec names of the transcoded stream.
const (
	CodecH264 = "h264"
	CodecH265 = "h265"
)

// TranscodeOptions shape the camera a file is turned into. The zero value is
// the default camera: H.264, source size and rate, an IDR every second.
type TranscodeOptions struct {
	// Codec is CodecH264 (default) or CodecH265.
	Codec string
	// Height scales the picture to this height, keeping the aspect ratio
	// (e.g. 1080); 0 keeps the source size.
	Height int
	// FPS changes the frame rate (frames are repeated or dropped); 0 keeps it.
	FPS int
	// KeyframeSeconds is the time between IDR pictures; 0 means 1.
	KeyframeSeconds float64
	// Seconds cuts the output to this length; 0 keeps the whole file.
	Seconds float64
}

func (o TranscodeOptions) withDefaults() TranscodeOptions {
	if o.Codec == "" {
		o.Codec = CodecH264
	}
	if o.KeyframeSeconds == 0 {
		o.KeyframeSeconds = 1
	}
	return o
}

// Validate names the first bad option.
func (o TranscodeOptions) Validate() error {
	o = o.withDefaults()
	switch {
	case o.Codec != CodecH264 && o.Codec != CodecH265:
		return fmt.Errorf("codec %q: want h264 or h265", o.Codec)
	case o.Height < 0 || o.Height > 4320 || o.Height%2 != 0:
		return fmt.Errorf("height %d: want an even number up to 4320, or 0 for the source height", o.Height)
	case o.FPS < 0 || o.FPS > 120:
		return fmt.Errorf("fps %d: want 1 to 120, or 0 for the source rate", o.FPS)
	case o.KeyframeSeconds < 0.04 || o.KeyframeSeconds > 60:
		return fmt.Errorf("keyframe interval %gs: want 0.04 to 60", o.KeyframeSeconds)
	case o.Seconds < 0:
		return fmt.Errorf("seconds %g: want 0 or more", o.Seconds)
	}
	return nil
}

// cacheTag is the part of the cache key the options add. The default
// options add nothing, so caches made before options existed stay valid.
func (o TranscodeOptions) cacheTag() string {
	o = o.withDefaults()
	if o == (TranscodeOptions{}).withDefaults() {
		return ""
	}
	return fmt.Sprintf("%s-h%d-fps%d-k%g-s%g", o.Codec, o.Height, o.FPS, o.KeyframeSeconds, o.Seconds)
}

// transcodeArgs turns any video into what a typical IP camera sends: H.264
// main profile (or H.265 main), 4:2:0, no B-frames, an IDR picture every
// KeyframeSeconds (so a client that joins waits at most that long),
// parameter sets repeated before each IDR, no audio.
func transcodeArgs(src, dst string, o TranscodeOptions) []string {
	o = o.withDefaults()
	// libx264/libx265 with 4:2:0 need even dimensions.
	vf := "scale=trunc(iw/2)*2:trunc(ih/2)*2"
	if o.Height > 0 {
		vf = fmt.Sprintf("scale=-2:%d", o.Height)
	}
	if o.FPS > 0 {
		vf += fmt.Sprintf(",fps=%d", o.FPS)
	}
	args := []string{
		"-nostdin", "-hide_banner", "-loglevel", "error", "-y",
		"-i", src,
		"-map", "0:v:0", "-an", "-sn", "-dn",
		"-vf", vf,
	}
	if o.Seconds > 0 {
		args = append(args, "-t", fmt.Sprint(o.Seconds))
	}
	// Regular keyframes whatever the frame rate, and no extra scene-cut
	// keyframes, so the GOP is regular like a camera's.
	keys := fmt.Sprintf("expr:gte(t,n_forced*%g)", o.KeyframeSeconds)
	switch o.Codec {
	case CodecH265:
		args = append(args, "-c:v", "libx265", "-preset", "veryfast", "-pix_fmt", "yuv420p",
			"-force_key_frames", keys, "-forced-idr", "1",
			"-x265-params", "log-level=error:bframes=0:keyint=600:scenecut=0:open-gop=0:repeat-headers=1")
	default:
		args = append(args, "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "main", "-pix_fmt", "yuv420p",
			"-bf", "0", "-force_key_frames", keys, "-forced-idr", "1", "-g", "600", "-sc_threshold", "0")
	}
	return append(args, "-f", "mpegts", dst)
}

// Transcode is TranscodeWith the default options: H.264 at the source size.
func Transcode(ctx context.Context, src, cacheDir string) (string, error) {
	return TranscodeWith(ctx, src, cacheDir, TranscodeOptions{})
}

// TranscodeWith returns the path of an H.264 or H.265 MPEG-TS copy of src, made with
// ffmpeg the first time and cached in cacheDir/media under a name keyed by
// src's content. The copy is written to a temporary file and renamed, so a
// crash never leaves a half file under the final name; concurrent callers
// (parallel test packages) wait for one another instead of transcoding twice.
func TranscodeWith(ctx context.Context, src, cacheDir string, o TranscodeOptions) (string, error) {
	if err := o.Validate(); err != nil {
		return "", fmt.Errorf("transcode %s: %w", src, err)
	}
	key, err := contentKey(src, o.cacheTag())
	if err != nil {
		return "", fmt.Errorf("transcode %s: %w", src, err)
	}
	dir := filepath.Join(cacheDir, "media")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("transcode %s: %w", src, err)
	}
	stem := strings.TrimSuffix(filepath.Base(src), filepath.Ext(src))
	name := fmt.Sprintf("%s-%s.ts", stem, key[:16])
	if tag := o.cacheTag(); tag != "" {
		name = fmt.Sprintf("%s-%s-%s.ts", stem, tag, key[:16])
	}
	dst := filepath.Join(dir, name)
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

	cmd := exec.CommandContext(ctx, "ffmpeg", transcodeArgs(src, tmpName, o)...)
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
func contentKey(src, tag string) (string, error) {
	f, err := os.Open(src)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	io.WriteString(h, transcodeVersion+tag+"\n")
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
