package modelswap

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"syscall"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/xiuhua/xiuhua/edge/detect"
	"github.com/xiuhua/xiuhua/internal/durable"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// Fetcher opens a FetchModel stream: uplink.Client.FetchModel.
type Fetcher interface {
	FetchModel(ctx context.Context, req *xiuhuav1.FetchModelRequest) (xiuhuav1.EdgeService_FetchModelClient, error)
}

// File is what a download is written through; tests put faults (a full
// disk) in it.
type File interface {
	io.Writer
	Sync() error
	Close() error
}

// ErrDiskFull marks a download that ran out of disk space.
var ErrDiskFull = errors.New("disk full")

// Downloader fetches assigned models into Dir/<name>/<version>/: the ONNX
// file first as <sha256>.onnx.part, resumed from its size when a stream
// breaks, checked against the assignment's sha256 and renamed into place,
// then the manifest the server sent beside it. A model already there and
// intact is not fetched again.
type Downloader struct {
	Dir   string
	Fetch Fetcher
	// Attempts is how many streams one download may take, each resuming
	// where the last stopped (default 5); RetryDelay the pause between
	// them (default 2s).
	Attempts   int
	RetryDelay time.Duration
	// Progress, when set, is told the bytes held after every chunk.
	Progress func(n int64)
	// Create opens path for appending, creating it; nil: the file system.
	Create func(path string) (File, error)
	Log    *slog.Logger
}

var (
	versionRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$`)
	modelRE   = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)
	sha256RE  = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// permanent marks a download error that another attempt cannot cure.
type permanent struct{ error }

func (p permanent) Unwrap() error { return p.error }

// Download fetches the model a assigns and returns its manifest's path.
func (d *Downloader) Download(ctx context.Context, a *xiuhuav1.ModelAssignment) (string, error) {
	mr := a.GetModel()
	if !modelRE.MatchString(mr.GetName()) || !versionRE.MatchString(mr.GetVersion()) || !sha256RE.MatchString(mr.GetSha256()) {
		return "", fmt.Errorf("assignment %q: model %q version %q sha256 %q: want a model name, a version of letters, digits and ._+-, and a sha256 of 64 lower-case hex digits",
			a.GetAssignmentId(), mr.GetName(), mr.GetVersion(), mr.GetSha256())
	}
	dir := filepath.Join(d.Dir, mr.Name, mr.Version)
	manifest := filepath.Join(dir, "manifest.yaml")
	if d.intact(manifest, mr) {
		d.log().Info("model already downloaded and intact", "name", mr.Name, "version", mr.Version)
		return manifest, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", diskError("create model folder", err)
	}
	part := filepath.Join(dir, mr.Sha256+".onnx.part")
	var info *xiuhuav1.ModelInfo
	attempts := d.Attempts
	if attempts <= 0 {
		attempts = 5
	}
	var err error
	for i := range attempts {
		if i > 0 {
			d.log().Warn("model download interrupted; resuming", "name", mr.Name, "version", mr.Version, "attempt", i+1, "err", err)
			if werr := sleep(ctx, d.retryDelay()); werr != nil {
				return "", fmt.Errorf("download %s %s: %w (after: %v)", mr.Name, mr.Version, werr, err)
			}
		}
		info, err = d.fetch(ctx, a, part)
		var p permanent
		if err == nil || errors.As(err, &p) || ctx.Err() != nil {
			break
		}
	}
	if err != nil {
		return "", fmt.Errorf("download %s %s: %w", mr.Name, mr.Version, err)
	}
	if err := d.place(dir, part, info, mr); err != nil {
		return "", fmt.Errorf("download %s %s: %w", mr.Name, mr.Version, err)
	}
	return manifest, nil
}

// fetch runs one stream, appending to part from its current size, and
// returns the stream's ModelInfo once part holds the whole file.
func (d *Downloader) fetch(ctx context.Context, a *xiuhuav1.ModelAssignment, part string) (*xiuhuav1.ModelInfo, error) {
	mr := a.GetModel()
	var offset int64
	if st, err := os.Stat(part); err == nil {
		offset = st.Size()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := d.Fetch.FetchModel(ctx, &xiuhuav1.FetchModelRequest{Name: mr.Name, Version: mr.Version, Sha256: mr.Sha256, Offset: offset})
	if err != nil {
		return nil, fmt.Errorf("open FetchModel stream: %w", err)
	}
	first, err := stream.Recv()
	if err != nil {
		return nil, fmt.Errorf("FetchModel stream: no model info: %w", err)
	}
	info := first.GetInfo()
	switch {
	case info == nil:
		return nil, permanent{errors.New("FetchModel stream did not start with the model info")}
	case info.Name != mr.Name || info.Version != mr.Version || info.Sha256 != mr.Sha256:
		return nil, permanent{fmt.Errorf("server offers %s %s sha256 %s, not the assigned %s %s sha256 %s",
			info.Name, info.Version, info.Sha256, mr.Name, mr.Version, mr.Sha256)}
	case info.Size <= 0 || (a.Size > 0 && info.Size != a.Size):
		return nil, permanent{fmt.Errorf("server says the file has %d bytes, the assignment %d", info.Size, a.Size)}
	case offset > info.Size:
		_ = os.Remove(part)
		return nil, fmt.Errorf("partial file of %d bytes is longer than the model (%d): removed, starting again", offset, info.Size)
	case offset == info.Size:
		return info, nil
	}
	f, err := d.create(part)
	if err != nil {
		return nil, d.abort(part, diskError("open "+part, err))
	}
	for offset < info.Size {
		msg, err := stream.Recv()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, d.keep(f, part, fmt.Errorf("stream broke at %d of %d bytes: %w", offset, info.Size, err))
		}
		c := msg.GetChunk()
		switch {
		case c == nil:
			return nil, d.keep(f, part, fmt.Errorf("stream sent a second model info at %d of %d bytes", offset, info.Size))
		case c.Offset != offset:
			return nil, d.keep(f, part, fmt.Errorf("chunk at offset %d, expected %d: out-of-order stream", c.Offset, offset))
		case offset+int64(len(c.Data)) > info.Size:
			_ = f.Close()
			return nil, d.abort(part, fmt.Errorf("a chunk of %d bytes at %d runs past the end of the %d-byte file", len(c.Data), offset, info.Size))
		}
		if _, err := f.Write(c.Data); err != nil {
			_ = f.Close()
			return nil, d.abort(part, diskError("write "+part, err))
		}
		offset += int64(len(c.Data))
		if d.Progress != nil {
			d.Progress(offset)
		}
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return nil, d.abort(part, diskError("sync "+part, err))
	}
	if err := f.Close(); err != nil {
		return nil, d.abort(part, diskError("close "+part, err))
	}
	if offset < info.Size {
		return nil, fmt.Errorf("truncated: the stream ended at %d of %d bytes", offset, info.Size)
	}
	return info, nil
}

// place checks the whole file's sha256, renames it into place under the
// name the manifest gives, and writes the manifest beside it.
func (d *Downloader) place(dir, part string, info *xiuhuav1.ModelInfo, mr *xiuhuav1.ModelRef) error {
	sum, err := fileSHA256(part)
	if err != nil {
		return err
	}
	if sum != mr.Sha256 {
		_ = os.Remove(part)
		return fmt.Errorf("sha256 mismatch: the downloaded file has %s, the assignment says %s: removed", sum, mr.Sha256)
	}
	var names struct {
		ONNX string `yaml:"onnx"`
	}
	if err := yaml.Unmarshal(info.Manifest, &names); err != nil {
		return fmt.Errorf("manifest from the server: %w", err)
	}
	if names.ONNX == "" || filepath.Base(names.ONNX) != names.ONNX || names.ONNX == ".." || names.ONNX == "manifest.yaml" {
		return fmt.Errorf("manifest from the server: onnx %q: want a plain file name beside the manifest", names.ONNX)
	}
	if err := os.Rename(part, filepath.Join(dir, names.ONNX)); err != nil {
		return fmt.Errorf("move the model into place: %w", err)
	}
	manifest := filepath.Join(dir, "manifest.yaml")
	tmp := manifest + ".tmp"
	_ = os.Remove(tmp)
	if err := d.writeFile(tmp, info.Manifest); err != nil {
		return d.abort(tmp, err)
	}
	if err := os.Rename(tmp, manifest); err != nil {
		return fmt.Errorf("move the manifest into place: %w", err)
	}
	if err := durable.SyncDir(dir); err != nil {
		return diskError("make the model durable", err)
	}
	m, err := detect.LoadManifest(manifest)
	if err == nil && (m.Name != mr.Name || m.Version != mr.Version || m.SHA256 != mr.Sha256) {
		err = fmt.Errorf("manifest describes %s %s sha256 %s, not the assigned %s %s sha256 %s", m.Name, m.Version, m.SHA256, mr.Name, mr.Version, mr.Sha256)
	}
	if err != nil {
		_ = os.Remove(manifest) // never reused
		return fmt.Errorf("manifest from the server: %w", err)
	}
	return nil
}

// intact says whether manifest describes mr and its ONNX file has the
// right sha256: a model downloaded before, ready to use.
func (d *Downloader) intact(manifest string, mr *xiuhuav1.ModelRef) bool {
	m, err := detect.LoadManifest(manifest)
	if err != nil || m.Name != mr.Name || m.Version != mr.Version || m.SHA256 != mr.Sha256 {
		return false
	}
	sum, err := fileSHA256(m.ONNXPath())
	return err == nil && sum == mr.Sha256
}

func (d *Downloader) writeFile(path string, data []byte) error {
	f, err := d.create(path)
	if err != nil {
		return diskError("open "+path, err)
	}
	return writeSynced(f, path, data)
}

// writeSynced writes data to the opened file f at path, fsyncs and closes
// it, saying "disk full" plainly when that is why it failed.
func writeSynced(f File, path string, data []byte) error {
	if _, err := f.Write(data); err != nil {
		_ = f.Close()
		return diskError("write "+path, err)
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return diskError("sync "+path, err)
	}
	return diskError("close "+path, f.Close())
}

// keep closes f after a broken stream, leaving part to resume from.
func (d *Downloader) keep(f File, part string, cause error) error {
	if err := f.Close(); err != nil {
		return d.abort(part, diskError("close "+part, err))
	}
	return cause
}

// abort removes a partial file that cannot be trusted or continued.
func (d *Downloader) abort(path string, cause error) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		d.log().Warn("remove partial download", "path", path, "err", err)
	}
	return permanent{cause}
}

func (d *Downloader) create(path string) (File, error) {
	if d.Create != nil {
		return d.Create(path)
	}
	return os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
}

func (d *Downloader) retryDelay() time.Duration {
	if d.RetryDelay > 0 {
		return d.RetryDelay
	}
	return 2 * time.Second
}

func (d *Downloader) log() *slog.Logger {
	if d.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return d.Log
}

// diskError says "disk full" plainly when the file system is out of space.
func diskError(what string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT):
		return fmt.Errorf("%w: %s: %w; the partial file is removed", ErrDiskFull, what, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
