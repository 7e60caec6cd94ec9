package ingest

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

func putModel(t *testing.T, e *env, name, version string, data []byte, manifest string) {
	t.Helper()
	dir := filepath.Join(e.modelsDir, name, version)
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "model.onnx"), data, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "manifest.yaml"), []byte(manifest), 0o644))
}

// fetch returns the info and the bytes received, checking chunk offsets.
func fetch(t *testing.T, e *env, req *xiuhuav1.FetchModelRequest) (*xiuhuav1.ModelInfo, []byte, error) {
	t.Helper()
	stream, err := e.client.FetchModel(ctxT(t), req)
	require.NoError(t, err)
	var (
		info *xiuhuav1.ModelInfo
		data []byte
	)
	for {
		m, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return info, data, nil
		}
		if err != nil {
			return nil, nil, err
		}
		if m.GetInfo() != nil {
			require.Nil(t, info, "info sent twice")
			info = m.GetInfo()
			continue
		}
		require.NotNil(t, info, "chunk before info")
		c := m.GetChunk()
		require.Equal(t, req.Offset+int64(len(data)), c.Offset)
		require.LessOrEqual(t, len(c.Data), ModelChunkSize)
		data = append(data, c.Data...)
	}
}

func TestFetchModel(t *testing.T) {
	e := newEnv(t)
	model := bytes.Repeat([]byte("onnx"), 160_000) // 640 000 bytes: 3 chunks
	sum := hexSum(model)
	manifest := "family: yolox\ninput: [416, 416]\nsha256: " + sum + "\n"
	putModel(t, e, "yolox_nano", "1", model, manifest)
	putModel(t, e, "broken", "1", model, "sha256: "+hexSum([]byte("other"))+"\n")
	putModel(t, e, "nosha", "2", []byte("tiny"), "family: yolox\n")

	info, data, err := fetch(t, e, &xiuhuav1.FetchModelRequest{Name: "yolox_nano", Version: "1"})
	require.NoError(t, err)
	require.Equal(t, &xiuhuav1.ModelInfo{Name: "yolox_nano", Version: "1", Sha256: sum, Size: int64(len(model)), Manifest: []byte(manifest)},
		stripState(info))
	require.Equal(t, model, data)
	require.Equal(t, float64(len(model)), e.counter(t, "xiuhua_model_bytes_sent_total"))

	// Resume, with the hash pinned.
	_, data, err = fetch(t, e, &xiuhuav1.FetchModelRequest{Name: "yolox_nano", Version: "1", Sha256: sum, Offset: 300_001})
	require.NoError(t, err)
	require.Equal(t, model[300_001:], data)
	_, data, err = fetch(t, e, &xiuhuav1.FetchModelRequest{Name: "yolox_nano", Version: "1", Offset: int64(len(model))})
	require.NoError(t, err)
	require.Empty(t, data)

	// No sha256 in the manifest: served as it is.
	info, data, err = fetch(t, e, &xiuhuav1.FetchModelRequest{Name: "nosha", Version: "2"})
	require.NoError(t, err)
	require.Equal(t, []byte("tiny"), data)
	require.Equal(t, hexSum([]byte("tiny")), info.Sha256)

	tests := []struct {
		name string
		req  *xiuhuav1.FetchModelRequest
		code codes.Code
		want string
	}{
		{"unknown model", &xiuhuav1.FetchModelRequest{Name: "nope", Version: "1"}, codes.NotFound, "model nope/1 not found"},
		{"unknown version", &xiuhuav1.FetchModelRequest{Name: "yolox_nano", Version: "9"}, codes.NotFound, "model yolox_nano/9 not found"},
		{"path traversal", &xiuhuav1.FetchModelRequest{Name: "..", Version: "1"}, codes.InvalidArgument, "must each be"},
		{"slash", &xiuhuav1.FetchModelRequest{Name: "yolox_nano/1", Version: "."}, codes.InvalidArgument, "must each be"},
		{"other sha256", &xiuhuav1.FetchModelRequest{Name: "yolox_nano", Version: "1", Sha256: hexSum([]byte("x"))}, codes.FailedPrecondition,
			"model yolox_nano/1 has sha256 " + sum + ", not the requested " + hexSum([]byte("x"))},
		{"manifest disagrees", &xiuhuav1.FetchModelRequest{Name: "broken", Version: "1"}, codes.FailedPrecondition,
			"model broken/1: model.onnx has sha256 " + sum + " but manifest.yaml says " + hexSum([]byte("other"))},
		{"offset past the end", &xiuhuav1.FetchModelRequest{Name: "yolox_nano", Version: "1", Offset: int64(len(model)) + 1}, codes.OutOfRange, "offset 640001 outside 0 to 640000"},
		{"negative offset", &xiuhuav1.FetchModelRequest{Name: "yolox_nano", Version: "1", Offset: -1}, codes.OutOfRange, "offset -1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := fetch(t, e, tc.req)
			require.Equal(t, tc.code, status.Code(err), "%v", err)
			require.Contains(t, status.Convert(err).Message(), tc.want)
		})
	}

	t.Run("no manifest", func(t *testing.T) {
		require.NoError(t, os.Remove(filepath.Join(e.modelsDir, "nosha", "2", "manifest.yaml")))
		_, _, err := fetch(t, e, &xiuhuav1.FetchModelRequest{Name: "nosha", Version: "2"})
		require.Equal(t, codes.NotFound, status.Code(err), "%v", err)
		require.Contains(t, status.Convert(err).Message(), "model nosha/2 has no manifest.yaml")
	})
}

func stripState(i *xiuhuav1.ModelInfo) *xiuhuav1.ModelInfo {
	return &xiuhuav1.ModelInfo{Name: i.Name, Version: i.Version, Sha256: i.Sha256, Size: i.Size, Manifest: i.Manifest}
}
