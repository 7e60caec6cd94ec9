package models

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/internal/testdata"
	"github.com/xiuhua/xiuhua/server/blob"
	"github.com/xiuhua/xiuhua/server/store"
	"github.com/xiuhua/xiuhua/server/store/sqlite"
)

// lateStore is the real store, plus a confirmed report filed while the
// export is between its two passes (when the second pass starts over).
type lateStore struct {
	*sqlite.Store
	starts int
	late   func()
}

func (s *lateStore) TrainingReports(ctx context.Context, statuses []string, afterID int64, limit int) ([]store.TrainingReport, error) {
	if afterID == 0 {
		if s.starts++; s.starts == 2 {
			s.late()
		}
	}
	return s.Store.TrainingReports(ctx, statuses, afterID, limit)
}

// TestExportPagesAndLateReports: the export reads the store a page at a
// time in both passes, and a report filed between them is left for the
// next export instead of landing in a split its camera was not counted in.
func TestExportPagesAndLateReports(t *testing.T) {
	defer func(n int) { pageSize = n }(pageSize)
	pageSize = 2
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "xiuhua.db"))
	require.NoError(t, err)
	defer st.Close()
	blobs, err := blob.NewFolder(filepath.Join(dir, "evidence"))
	require.NoError(t, err)
	data, err := os.ReadFile(testdata.Path(t, "images", "000000000139.jpg"))
	require.NoError(t, err)
	ref, err := blob.Put(ctx, blobs, bytes.NewReader(data))
	require.NoError(t, err)
	add := func(event, camera string) {
		r := &store.Report{EventID: event, DeviceID: "edge-01", CameraID: camera, ViolationType: "street_vending",
			ObservedAt: time.Now(), Detections: []store.Detection{{ClassName: "umbrella", Score: 0.9, X: 10, Y: 10, Width: 50, Height: 50}},
			Evidence: []store.Evidence{{Name: "snapshot.jpg", Kind: store.KindSnapshot, ContentType: "image/jpeg", Size: ref.Size, SHA256: ref.SHA256}}}
		_, _, err := st.SaveReport(ctx, r, func(ctx context.Context, tx store.CaseTx, r *store.Report) (string, error) {
			return tx.OpenCase(ctx, store.NewCase{Status: "filed", ViolationType: r.ViolationType, DeviceID: r.DeviceID, CameraID: r.CameraID})
		})
		require.NoError(t, err)
	}
	for i := range 7 { // four pages
		add(fmt.Sprintf("ev-%d", i), fmt.Sprintf("cam-%d", i%3))
	}
	ls := &lateStore{Store: st, late: func() { add("ev-late", "cam-new") }}

	var buf bytes.Buffer
	stats, err := ExportDataset(ctx, ls, blobs, ExportOptions{Format: FormatYOLO}, &buf)
	require.NoError(t, err)
	require.Equal(t, 2, ls.starts, "two passes")
	require.Equal(t, 7, stats.Images, "every page, and not the late report")
	require.Zero(t, stats.Skipped)
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	require.NoError(t, err)
	images := 0
	for _, f := range zr.File {
		if filepath.Dir(filepath.Dir(f.Name)) == "images" {
			images++
		}
	}
	require.Equal(t, 7, images)
}
