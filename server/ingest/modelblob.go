package ingest

import (
	"context"
	"errors"
	"io"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/xiuhua/xiuhua/server/blob"

	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// ErrNoModel is what a ModelSource answers for a version it does not hold;
// FetchModel then looks in ModelsDir.
var ErrNoModel = errors.New("ingest: model not in the registry's blob store")

// ModelSource opens registered models from the blob store, so that every
// replica serves every uploaded model.
type ModelSource interface {
	// OpenModel returns the manifest as served, the ONNX file's sha256 and
	// its content (the caller closes it), or ErrNoModel.
	OpenModel(ctx context.Context, name, version string) (manifest []byte, sha string, obj blob.Object, err error)
}

// fetchFromBlobs serves a model from Options.Models. It reports false, with
// nothing sent, when the source does not hold it.
func (s *Service) fetchFromBlobs(req *xiuhuav1.FetchModelRequest, stream modelStream) (bool, error) {
	name, version := req.GetName(), req.GetVersion()
	id := name + "/" + version
	manifest, sum, obj, err := s.opts.Models.OpenModel(stream.Context(), name, version)
	switch {
	case errors.Is(err, ErrNoModel):
		return false, nil
	case errors.Is(err, blob.ErrCorrupt):
		s.log.Error("model file does not match its sha256: not served", "model", id, "err", err)
		return true, status.Errorf(codes.DataLoss, "model %s: the stored file failed its sha256 check", id)
	case err != nil:
		return true, status.Errorf(codes.Unavailable, "model %s: %v", id, err)
	}
	defer obj.Close()
	if req.Sha256 != "" && !strings.EqualFold(req.Sha256, sum) {
		return true, status.Errorf(codes.FailedPrecondition, "model %s has sha256 %s, not the requested %s", id, sum, req.Sha256)
	}
	size := obj.Info().Size
	if req.Offset < 0 || req.Offset > size {
		return true, status.Errorf(codes.OutOfRange, "model %s: offset %d outside 0 to %d", id, req.Offset, size)
	}
	if err := stream.Send(&xiuhuav1.FetchModelResponse{Msg: &xiuhuav1.FetchModelResponse_Info{Info: &xiuhuav1.ModelInfo{
		Name: name, Version: version, Sha256: sum, Size: size, Manifest: manifest,
	}}}); err != nil {
		return true, err
	}
	if _, err := obj.Seek(req.Offset, io.SeekStart); err != nil {
		return true, status.Errorf(codes.Unavailable, "model %s: seek to %d: %v", id, req.Offset, err)
	}
	for off := req.Offset; off < size; {
		// A fresh buffer per message: gRPC may still hold the last one.
		buf := make([]byte, min(ModelChunkSize, size-off))
		if _, err := io.ReadFull(obj, buf); err != nil {
			return true, status.Errorf(codes.Unavailable, "model %s: read at %d: %v", id, off, err)
		}
		if err := stream.Send(&xiuhuav1.FetchModelResponse{Msg: &xiuhuav1.FetchModelResponse_Chunk{Chunk: &xiuhuav1.ModelChunk{
			Offset: off, Data: buf,
		}}}); err != nil {
			return true, err
		}
		s.m.modelBytes.Add(float64(len(buf)))
		off += int64(len(buf))
	}
	return true, nil
}
