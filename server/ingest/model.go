package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"gopkg.in/yaml.v3"

	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// Model files in ModelsDir/<name>/<version>/.
const (
	modelFile    = "model.onnx"
	manifestFile = "manifest.yaml"
	// ModelChunkSize is the size of the chunks FetchModel sends.
	ModelChunkSize = 256 << 10
	maxManifest    = 1 << 20
)

var modelPart = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

type modelStream = grpc.ServerStreamingServer[xiuhuav1.FetchModelResponse]

// FetchModel sends a model's info and manifest, then its ONNX file from the
// requested offset in chunks.
func (s *Service) FetchModel(req *xiuhuav1.FetchModelRequest, stream modelStream) error {
	name, version := req.GetName(), req.GetVersion()
	if !modelPart.MatchString(name) || !modelPart.MatchString(version) {
		return status.Errorf(codes.InvalidArgument, "model name %q and version %q must each be 1 to 128 of A-Z a-z 0-9 . _ - (not starting with . _ -)", name, version)
	}
	id := name + "/" + version
	if s.opts.Models != nil {
		if served, err := s.fetchFromBlobs(req, stream); served {
			return err
		}
	}
	if s.opts.ModelsDir == "" {
		return status.Errorf(codes.NotFound, "model %s not found: this server has no model folder", id)
	}
	dir := filepath.Join(s.opts.ModelsDir, name, version)
	f, err := os.Open(filepath.Join(dir, modelFile))
	if errors.Is(err, fs.ErrNotExist) {
		return status.Errorf(codes.NotFound, "model %s not found", id)
	}
	if err != nil {
		return storageStatus(s.log, codes.Internal, "model "+id, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return status.Errorf(codes.NotFound, "model %s not found", id)
	}
	manifest, err := readManifest(filepath.Join(dir, manifestFile))
	if errors.Is(err, fs.ErrNotExist) {
		return status.Errorf(codes.NotFound, "model %s has no %s", id, manifestFile)
	}
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) { // the server's own file: its path is not for the device
		return storageStatus(s.log, codes.Internal, "model "+id+" manifest", err)
	}
	if err != nil {
		return status.Errorf(codes.FailedPrecondition, "model %s: %v", id, err)
	}
	sum, err := s.models.sum(f, st)
	if err != nil {
		return storageStatus(s.log, codes.Internal, "model "+id, err)
	}
	if want := manifestSHA256(manifest); want != "" && !strings.EqualFold(want, sum) {
		return status.Errorf(codes.FailedPrecondition, "model %s: %s has sha256 %s but %s says %s", id, modelFile, sum, manifestFile, want)
	}
	if req.Sha256 != "" && !strings.EqualFold(req.Sha256, sum) {
		return status.Errorf(codes.FailedPrecondition, "model %s has sha256 %s, not the requested %s", id, sum, req.Sha256)
	}
	size := st.Size()
	if req.Offset < 0 || req.Offset > size {
		return status.Errorf(codes.OutOfRange, "model %s: offset %d outside 0 to %d", id, req.Offset, size)
	}
	if err := stream.Send(&xiuhuav1.FetchModelResponse{Msg: &xiuhuav1.FetchModelResponse_Info{Info: &xiuhuav1.ModelInfo{
		Name: name, Version: version, Sha256: sum, Size: size, Manifest: manifest,
	}}}); err != nil {
		return err
	}
	for off := req.Offset; off < size; {
		// A fresh buffer per message: gRPC may still hold the last one.
		buf := make([]byte, min(ModelChunkSize, size-off))
		if _, err := f.ReadAt(buf, off); err != nil {
			return storageStatus(s.log, codes.Internal, fmt.Sprintf("model %s: read at %d", id, off), err)
		}
		if err := stream.Send(&xiuhuav1.FetchModelResponse{Msg: &xiuhuav1.FetchModelResponse_Chunk{Chunk: &xiuhuav1.ModelChunk{
			Offset: off, Data: buf,
		}}}); err != nil {
			return err
		}
		s.m.modelBytes.Add(float64(len(buf)))
		off += int64(len(buf))
	}
	return nil
}

func readManifest(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Size() > maxManifest {
		return nil, fmt.Errorf("%s is %d bytes, more than %d", manifestFile, st.Size(), maxManifest)
	}
	return os.ReadFile(path)
}

// manifestSHA256 returns the manifest's top-level sha256 field, if any. The
// manifest format belongs to the edge's detector; only this field matters
// here, so unknown fields are fine.
func manifestSHA256(manifest []byte) string {
	var m struct {
		SHA256 string `yaml:"sha256"`
	}
	if yaml.Unmarshal(manifest, &m) != nil {
		return ""
	}
	return m.SHA256
}

// modelSums caches the sha256 of model files by path, size and time, so a
// fleet fetching one model hashes it once.
type modelSums struct {
	mu    sync.Mutex
	cache map[string]modelSum
}

type modelSum struct {
	size int64
	mod  time.Time
	sum  string
}

func (c *modelSums) sum(f *os.File, st os.FileInfo) (string, error) {
	c.mu.Lock()
	e, ok := c.cache[f.Name()]
	c.mu.Unlock()
	if ok && e.size == st.Size() && e.mod.Equal(st.ModTime()) {
		return e.sum, nil
	}
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(f, 0, st.Size())); err != nil {
		return "", err
	}
	sum := hex.EncodeToString(h.Sum(nil))
	c.mu.Lock()
	if c.cache == nil {
		c.cache = map[string]modelSum{}
	}
	c.cache[f.Name()] = modelSum{size: st.Size(), mod: st.ModTime(), sum: sum}
	c.mu.Unlock()
	return sum, nil
}
