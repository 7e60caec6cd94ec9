package app

import (
	"context"
	"errors"

	"github.com/xiuhua/xiuhua/server/blob"
	"github.com/xiuhua/xiuhua/server/ingest"
	"github.com/xiuhua/xiuhua/server/store"
)

// modelSource serves registered models from the blob store to FetchModel.
type modelSource struct {
	st    store.Store
	blobs blob.Store
}

// OpenModel implements ingest.ModelSource. A version uploaded before model
// files went to the blob store is not there: ModelsDir serves it.
func (m modelSource) OpenModel(ctx context.Context, name, version string) ([]byte, string, blob.Object, error) {
	v, err := m.st.GetModelVersion(ctx, name, version)
	if errors.Is(err, store.ErrNotFound) {
		return nil, "", nil, ingest.ErrNoModel
	}
	if err != nil {
		return nil, "", nil, err
	}
	obj, err := m.blobs.Open(ctx, v.SHA256)
	if errors.Is(err, blob.ErrNotFound) {
		return nil, "", nil, ingest.ErrNoModel
	}
	if err != nil {
		return nil, "", nil, err
	}
	return v.Manifest, v.SHA256, obj, nil
}
