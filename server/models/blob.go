package models

import (
	"context"
	"fmt"
	"os"

	"github.com/xiuhua/xiuhua/server/blob"
	"github.com/xiuhua/xiuhua/server/store"
)

// storeBlob puts the accepted ONNX file into the blob store before its
// version is recorded, so that a version in the database always has its
// file where every replica can read it.
func (r *Registry) storeBlob(ctx context.Context, path string, v *store.ModelVersion) error {
	if r.opts.Blobs == nil {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("store model: %w", err)
	}
	defer f.Close()
	ref, err := blob.Put(ctx, r.opts.Blobs, f)
	if err != nil {
		return fmt.Errorf("store model in the blob store: %w", err)
	}
	if ref.SHA256 != v.SHA256 {
		return fmt.Errorf("store model: the staged file's sha256 %s is not the upload's %s", ref.SHA256, v.SHA256)
	}
	return nil
}
