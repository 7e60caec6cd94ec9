package store

import (
	"context"
	"time"
)

// Retention is what the blob sweeper asks of the database. It never
// deletes a row: evidence rows stay, marked purged, and the audit trail is
// not touched.
type Retention interface {
	// PurgeEvidence marks up to limit evidence rows of the given kind,
	// in cases whose status is status since before `before`, as purged
	// now, and returns their blobs' sha256 (one per row; repeats
	// possible). Rows already purged are not returned again. Status
	// WarnCorrected purges the files of records corrected after warning
	// (no case) observed before `before`.
	PurgeEvidence(ctx context.Context, kind, status string, before time.Time, limit int) ([]string, error)
	// BlobReferenced reports whether anything still needs the blob: an
	// evidence row not purged (a case's or a corrected record's), a
	// transition's attachment, or a registered model's ONNX file.
	BlobReferenced(ctx context.Context, sha256 string) (bool, error)
}
