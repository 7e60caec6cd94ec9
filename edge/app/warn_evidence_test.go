package app

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/xiuhua/xiuhua/edge/outbox"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// TestKeptViolation: a warn-first violation's first look reads back as
// kept; an index naming a file outside the folder, or the report itself,
// is refused rather than sent.
func TestKeptViolation(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ev1")
	rep := &xiuhuav1.ViolationReport{EventId: "ev1", CameraId: "cam1", ZoneId: "kerb", ViolationType: "street_vending"}
	files := []outbox.File{
		{Name: "snapshot.jpg", Kind: xiuhuav1.EvidenceKind_EVIDENCE_KIND_SNAPSHOT, ContentType: "image/jpeg", Data: []byte("jpeg")},
		{Name: "clip.mp4", Kind: xiuhuav1.EvidenceKind_EVIDENCE_KIND_CLIP, ContentType: "video/mp4", Data: []byte("mp4")},
	}
	require.NoError(t, keep(dir, rep, files))
	gotRep, gotFiles, err := loadKept(dir)
	require.NoError(t, err)
	require.True(t, proto.Equal(rep, gotRep))
	require.Equal(t, files, gotFiles)

	for _, name := range []string{"../../etc/passwd", keptReport} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, keptIndex),
			[]byte(`[{"name":"`+name+`","kind":1,"content_type":"image/jpeg"}]`), 0o600))
		_, _, err = loadKept(dir)
		require.ErrorContains(t, err, "bad file name", name)
	}
	_, _, err = loadKept(filepath.Join(t.TempDir(), "gone"))
	require.ErrorIs(t, err, os.ErrNotExist, "a folder sent and removed before a crash")
}

// FuzzLoadKept: whatever a power cut or a full disk leaves in a kept
// folder's index and report, loading it fails cleanly or gives files of
// safe names that exist beside the index.
func FuzzLoadKept(f *testing.F) {
	f.Add([]byte(`[{"name":"snapshot.jpg","kind":1,"content_type":"image/jpeg"}]`), []byte{0x0a, 0x03, 'e', 'v', '1'})
	f.Add([]byte(`[{"name":"../x"}]`), []byte{})
	f.Add([]byte(`{`), []byte{0xff})
	f.Fuzz(func(t *testing.T, index, report []byte) {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, keptIndex), index, 0o600))
		require.NoError(t, os.WriteFile(filepath.Join(dir, keptReport), report, 0o600))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "snapshot.jpg"), []byte("jpeg"), 0o600))
		_, files, err := loadKept(dir)
		if err != nil {
			return
		}
		for _, fl := range files {
			require.NoError(t, outbox.ValidateName(fl.Name))
			require.NotEqual(t, keptIndex, fl.Name)
		}
	})
}
