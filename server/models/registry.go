// Package models is the server's model registry and rollout: model ops
// upload an ONNX file with its manifest, the registry checks it with
// onnxruntime (shapes against the manifest, a smoke run on a reference
// image) and stores it, immutable, where ingest's FetchModel serves it;
// rollouts assign a version to a device group and the Control sends each
// connected device what it should run and records what it reports. The
// export turns officers' decisions into a labelled dataset for retraining.
//
// It never imports OpenCV nor edge/: the manifest rules come from
// internal/modelspec, and pre-processing for the smoke run is pure Go.
package models

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // reference images
	_ "image/png"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/xiuhua/xiuhua/internal/durable"
	"github.com/xiuhua/xiuhua/internal/modelspec"
	"github.com/xiuhua/xiuhua/server/blob"
	"github.com/xiuhua/xiuhua/server/store"
)

// Files of a version under Options.Dir/<name>/<version>/, the layout
// ingest's FetchModel serves.
const (
	ModelFile    = "model.onnx"
	ManifestFile = "manifest.yaml"
	classesFile  = "classes.txt"
	tmpDir       = ".upload"
	// MaxManifestBytes bounds an uploaded manifest or classes file.
	MaxManifestBytes = 1 << 20
)

// DefaultSmokeTimeout bounds the smoke run.
const DefaultSmokeTimeout = time.Minute

// partRE is what FetchModel accepts for a name or version (a path part).
var partRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

// Store is the part of the database the registry uses.
type Store interface {
	PutModelVersion(ctx context.Context, v *store.ModelVersion) (bool, error)
	GetModelVersion(ctx context.Context, name, version string) (*store.ModelVersion, error)
	ListModelVersions(ctx context.Context) ([]store.ModelVersion, error)
	PutDeviceGroup(ctx context.Context, g *store.DeviceGroup) error
	ListDeviceGroups(ctx context.Context) ([]store.DeviceGroup, error)
	CreateRollout(ctx context.Context, r *store.Rollout) error
	ListRollouts(ctx context.Context, limit int) ([]store.Rollout, error)
	DeviceAssignment(ctx context.Context, deviceID string) (*store.Rollout, error)
	GetDeviceModel(ctx context.Context, deviceID string) (*store.DeviceModel, error)
	ListDeviceModels(ctx context.Context) ([]store.DeviceModel, error)
}

// Options configure a Registry. Store and Dir are required.
type Options struct {
	Store Store
	// Dir is the models folder FetchModel serves (data_dir/models).
	Dir string
	// Blobs, when set, also keeps each accepted ONNX file, by sha256, so
	// that every replica can serve FetchModel from it.
	Blobs blob.Store
	// MaxBytes bounds an ONNX upload; default 512 MiB.
	MaxBytes int64
	// ReferenceImage is the picture of the smoke run (JPEG or PNG); empty:
	// a synthetic street-like test card.
	ReferenceImage string
	// ORTLibrary is the onnxruntime library; empty: ortlib's search.
	ORTLibrary   string
	SmokeTimeout time.Duration // default DefaultSmokeTimeout
	// Kick asks the replica's control streams to send a device its
	// commands now (ingest.Service.Kick); nil waits for heartbeats.
	Kick    func(deviceID string)
	Metrics *Metrics
	Log     *slog.Logger
}

// DefaultMaxBytes is the default bound of an ONNX upload.
const DefaultMaxBytes = 512 << 20

// Registry accepts models and rollouts.
type Registry struct {
	opts Options
	log  *slog.Logger
	ref  image.Image
	// mu serialises the file and database steps of uploads, so that two
	// uploads of one name and version cannot interleave on disk.
	mu sync.Mutex
}

// New returns a Registry; it reads the reference image now so that a bad
// path fails at start.
func New(opts Options) (*Registry, error) {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	if opts.SmokeTimeout <= 0 {
		opts.SmokeTimeout = DefaultSmokeTimeout
	}
	if opts.Metrics == nil {
		opts.Metrics = NewMetrics(nil)
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	r := &Registry{opts: opts, log: opts.Log.With("component", "models")}
	if opts.ReferenceImage == "" {
		r.ref = testCard()
	} else {
		f, err := os.Open(opts.ReferenceImage)
		if err != nil {
			return nil, fmt.Errorf("models reference image: %w", err)
		}
		defer f.Close()
		if r.ref, _, err = image.Decode(f); err != nil {
			return nil, fmt.Errorf("models reference image %s: %w", opts.ReferenceImage, err)
		}
	}
	if err := os.MkdirAll(filepath.Join(opts.Dir, tmpDir), 0o750); err != nil {
		return nil, fmt.Errorf("models folder: %w", err)
	}
	return r, nil
}

// Upload is one model upload.
type Upload struct {
	ONNX     io.Reader
	Manifest []byte
	// Classes is the classes file the manifest's classes_file names; nil
	// when the manifest lists its classes itself.
	Classes []byte
	By      string
}

// Upload checks and stores a model. created is false when the same name,
// version and bytes were already there. A failed check is a *Rejection
// saying which check and why; nothing is stored then.
func (r *Registry) Upload(ctx context.Context, u Upload) (v *store.ModelVersion, created bool, err error) {
	defer func() { r.opts.Metrics.upload(err) }()
	if len(u.Manifest) == 0 {
		return nil, false, reject(CheckRequest, 400, "the manifest is missing")
	}
	if len(u.Manifest) > MaxManifestBytes || len(u.Classes) > MaxManifestBytes {
		return nil, false, reject(CheckRequest, 413, "the manifest and classes file may each be at most %d bytes", MaxManifestBytes)
	}
	stage, err := os.MkdirTemp(filepath.Join(r.opts.Dir, tmpDir), "up-")
	if err != nil {
		return nil, false, fmt.Errorf("upload folder: %w", err)
	}
	defer os.RemoveAll(stage) // gone after the rename below
	sum, size, err := r.receive(u.ONNX, filepath.Join(stage, ModelFile))
	if err != nil {
		return nil, false, err
	}
	m, err := r.manifest(u, stage, sum)
	if err != nil {
		return nil, false, err
	}

	if old, err := r.opts.Store.GetModelVersion(ctx, m.Name, m.Version); err == nil {
		if old.SHA256 == sum {
			return old, false, nil
		}
		return nil, false, reject(CheckVersion, 409, "model %s version %s already exists with sha256 %s; versions are immutable: upload under a new version",
			m.Name, m.Version, old.SHA256)
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, false, err
	}

	data, err := os.ReadFile(filepath.Join(stage, ModelFile))
	if err != nil {
		return nil, false, fmt.Errorf("read upload: %w", err)
	}
	cctx, cancel := context.WithTimeout(ctx, r.opts.SmokeTimeout)
	start := time.Now()
	err = checkModel(cctx, m, data, r.ref, r.opts.ORTLibrary)
	cancel()
	r.opts.Metrics.checkSeconds.Observe(time.Since(start).Seconds())
	if err != nil {
		return nil, false, err
	}

	// The manifest as served: classes inline, the file named as stored.
	m.ONNX, m.ClassesFile = ModelFile, ""
	served, err := yaml.Marshal(m)
	if err != nil {
		return nil, false, fmt.Errorf("encode manifest: %w", err)
	}
	if err := os.WriteFile(filepath.Join(stage, ManifestFile), served, 0o640); err != nil {
		return nil, false, fmt.Errorf("write manifest: %w", err)
	}
	_ = os.Remove(filepath.Join(stage, classesFile))
	v = &store.ModelVersion{Name: m.Name, Version: m.Version, SHA256: sum, Size: size, Family: m.Family,
		InputWidth: m.Input.Width, InputHeight: m.Input.Height, Classes: m.Classes, Manifest: served, UploadedBy: u.By}
	if err := r.install(ctx, stage, v); err != nil {
		return nil, false, err
	}
	r.log.Info("model accepted", "name", v.Name, "version", v.Version, "sha256", sum, "size", size, "by", u.By)
	return v, true, nil
}

// receive copies the ONNX upload to path, bounded by MaxBytes, and returns
// its sha256 and size.
func (r *Registry) receive(src io.Reader, path string) (string, int64, error) {
	if src == nil {
		return "", 0, reject(CheckRequest, 400, "the ONNX file is missing")
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o640)
	if err != nil {
		return "", 0, fmt.Errorf("upload file: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(src, r.opts.MaxBytes+1))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return "", 0, reject(CheckRequest, 413, "the upload is larger than %d bytes (models.max_upload_bytes)", tooBig.Limit)
	}
	if err != nil {
		return "", 0, reject(CheckRequest, 400, "reading the ONNX file: %v", err)
	}
	if n > r.opts.MaxBytes {
		return "", 0, reject(CheckRequest, 413, "the ONNX file is larger than %d bytes (models.max_upload_bytes)", r.opts.MaxBytes)
	}
	if n == 0 {
		return "", 0, reject(CheckRequest, 400, "the ONNX file is empty")
	}
	if err := f.Sync(); err != nil {
		return "", 0, fmt.Errorf("upload file: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, f.Close()
}

// manifest decodes and validates the uploaded manifest against the staged
// files: its onnx field may name any file (the upload is stored as
// model.onnx), its classes_file is the uploaded classes part.
func (r *Registry) manifest(u Upload, stage, sum string) (*modelspec.Manifest, error) {
	m, err := modelspec.Decode(u.Manifest)
	if err != nil {
		return nil, &Rejection{Check: CheckManifest, Status: 422, Err: err}
	}
	m.ONNX, m.Dir = ModelFile, stage
	if m.ClassesFile != "" {
		if u.Classes == nil {
			return nil, reject(CheckManifest, 422, "classes_file: invalid value %q: allowed: a file uploaded with it (form part \"classes\"), or the names inline as classes", m.ClassesFile)
		}
		if err := os.WriteFile(filepath.Join(stage, classesFile), u.Classes, 0o640); err != nil {
			return nil, fmt.Errorf("write classes: %w", err)
		}
		m.ClassesFile = classesFile
	}
	if err := m.Validate(); err != nil {
		return nil, &Rejection{Check: CheckManifest, Status: 422, Err: err}
	}
	if !partRE.MatchString(m.Version) {
		return nil, reject(CheckManifest, 422, "version: invalid value %q: allowed: 1 to 128 of A-Z a-z 0-9 . _ - (not starting with . _ -)", m.Version)
	}
	if m.SHA256 != sum {
		return nil, reject(CheckSHA256, 422, "the manifest says sha256 %s but the uploaded file's is %s: a truncated or different file", m.SHA256, sum)
	}
	return m, nil
}

// install moves the staged folder to Dir/<name>/<version> in one rename and
// records the version. A folder already there without a database row is
// left over from an upload that failed half-way, and is replaced.
func (r *Registry) install(ctx context.Context, stage string, v *store.ModelVersion) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if old, err := r.opts.Store.GetModelVersion(ctx, v.Name, v.Version); err == nil {
		if old.SHA256 == v.SHA256 {
			return nil
		}
		return reject(CheckVersion, 409, "model %s version %s already exists with sha256 %s; versions are immutable", v.Name, v.Version, old.SHA256)
	}
	parent := filepath.Join(r.opts.Dir, v.Name)
	final := filepath.Join(parent, v.Version)
	if err := os.MkdirAll(parent, 0o750); err != nil {
		return fmt.Errorf("models folder: %w", err)
	}
	if err := durable.SyncDir(stage); err != nil {
		return fmt.Errorf("sync upload: %w", err)
	}
	if _, err := os.Stat(final); err == nil {
		old, err := os.MkdirTemp(filepath.Join(r.opts.Dir, tmpDir), "stale-")
		if err != nil {
			return fmt.Errorf("models folder: %w", err)
		}
		if err := os.Rename(final, filepath.Join(old, "v")); err != nil {
			return fmt.Errorf("move stale %s: %w", final, err)
		}
		defer os.RemoveAll(old)
	}
	if err := r.storeBlob(ctx, filepath.Join(stage, ModelFile), v); err != nil {
		return err
	}
	if err := os.Rename(stage, final); err != nil {
		return fmt.Errorf("install model: %w", err)
	}
	if err := durable.SyncDir(parent); err != nil {
		return fmt.Errorf("sync models folder: %w", err)
	}
	_, err := r.opts.Store.PutModelVersion(ctx, v)
	if errors.Is(err, store.ErrVersionTaken) {
		return &Rejection{Check: CheckVersion, Status: 409, Err: err}
	}
	return err
}
