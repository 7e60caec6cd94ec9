package ingest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/xiuhua/xiuhua/server/blob"

	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// blobModels is a ModelSource over a real blob store, as the server's
// registry is: name/version → (manifest, sha256).
type blobModels struct {
	blobs blob.Store
	known map[string][2]string
}

func (m blobModels) OpenModel(ctx context.Context, name, version string) ([]byte, string, blob.Object, error) {
	k, ok := m.known[name+"/"+version]
	if !ok {
		return nil, "", nil, ErrNoModel
	}
	o, err := m.blobs.Open(ctx, k[1])
	return []byte(k[0]), k[1], o, err
}

// Registered models come from the blob store, resumable at any offset;
// versions the registry does not hold come from ModelsDir; a stored file
// that no longer matches its sha256 is refused, not sent.
func TestFetchModelFromBlobStore(t *testing.T) {
	folder, err := blob.NewFolder(t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { _ = folder.Close() })
	data := bytes.Repeat([]byte("onnx!"), 200_000) // several chunks
	ref, err := blob.Put(context.Background(), folder, bytes.NewReader(data))
	require.NoError(t, err)
	src := blobModels{blobs: blob.NewChecked(folder), known: map[string][2]string{"yolox/2": {"family: yolox\n", ref.SHA256}}}
	e := newEnv(t, func(o *Options) { o.Models = src })

	info, got, err := fetch(t, e, &xiuhuav1.FetchModelRequest{Name: "yolox", Version: "2"})
	require.NoError(t, err)
	require.Equal(t, ref.SHA256, info.Sha256)
	require.Equal(t, int64(len(data)), info.Size)
	require.Equal(t, "family: yolox\n", string(info.Manifest))
	require.Equal(t, data, got)

	_, got, err = fetch(t, e, &xiuhuav1.FetchModelRequest{Name: "yolox", Version: "2", Offset: 300_001, Sha256: ref.SHA256})
	require.NoError(t, err)
	require.Equal(t, data[300_001:], got)

	_, _, err = fetch(t, e, &xiuhuav1.FetchModelRequest{Name: "yolox", Version: "2", Offset: int64(len(data)) + 1})
	require.Equal(t, codes.OutOfRange, status.Code(err))

	putModel(t, e, "old", "1", []byte("folder model"), "family: yolox\n")
	_, got, err = fetch(t, e, &xiuhuav1.FetchModelRequest{Name: "old", Version: "1"})
	require.NoError(t, err)
	require.Equal(t, "folder model", string(got))

	p := filepath.Join(folder.Dir(), ref.SHA256[:2], ref.SHA256)
	require.NoError(t, os.Chmod(p, 0o640))
	require.NoError(t, os.WriteFile(p, bytes.Repeat([]byte("x"), len(data)), 0o640))
	src.blobs = blob.NewChecked(folder) // forget the passed check
	e2 := newEnv(t, func(o *Options) { o.Models = src })
	_, _, err = fetch(t, e2, &xiuhuav1.FetchModelRequest{Name: "yolox", Version: "2"})
	require.Equal(t, codes.DataLoss, status.Code(err), "%v", err)
}
