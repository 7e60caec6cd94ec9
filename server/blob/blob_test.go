package blob_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/blob"
	"github.com/xiuhua/xiuhua/server/blob/blobtest"
)

func TestFolder(t *testing.T) {
	dir := t.TempDir()
	s, err := blob.NewFolder(dir)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	spool, err := filepath.Glob(filepath.Join(dir, "tmp", "p-*"))
	require.NoError(t, err)
	require.Len(t, spool, 1)
	blobtest.Run(t, blobtest.Backend{
		Store:    s,
		SpoolDir: spool[0],
		Overwrite: func(sha string, data []byte) error {
			p := filepath.Join(dir, sha[:2], sha)
			if err := os.Chmod(p, 0o640); err != nil {
				return err
			}
			return os.WriteFile(p, data, 0o440)
		},
	})
}

// A second store on the same folder (a replica on a shared folder) does
// not touch a live store's spool; a closed store's spool is gone.
func TestSpoolOfLiveStoreStays(t *testing.T) {
	dir := t.TempDir()
	a, err := blob.NewFolder(dir)
	require.NoError(t, err)
	w, err := a.Create(t.Context())
	require.NoError(t, err)
	_, err = w.Write([]byte("in flight"))
	require.NoError(t, err)

	b, err := blob.NewFolder(dir)
	require.NoError(t, err)
	_, err = w.Write([]byte(", still"))
	require.NoError(t, err)
	ref, err := w.Commit(t.Context())
	require.NoError(t, err)
	require.Equal(t, blobtest.Sum([]byte("in flight, still")), ref.SHA256)

	require.NoError(t, a.Close())
	require.NoError(t, b.Close())
	left, err := os.ReadDir(filepath.Join(dir, "tmp"))
	require.NoError(t, err)
	require.Empty(t, left)
}

// A process killed with SIGKILL mid-write leaves a partial spool file; the
// next store on the folder removes it at once, not an hour later.
func TestSpoolOfKilledProcessRemoved(t *testing.T) {
	if os.Getenv("BLOB_SPOOL_CHILD") != "" {
		s, err := blob.NewFolder(os.Getenv("BLOB_SPOOL_CHILD"))
		if err != nil {
			os.Exit(3)
		}
		w, _ := s.Create(t.Context())
		_, _ = w.Write(make([]byte, 3<<20))
		_, _ = os.Stdout.WriteString("written\n")
		time.Sleep(time.Hour) // until killed
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestSpoolOfKilledProcessRemoved$")
	cmd.Env = append(os.Environ(), "BLOB_SPOOL_CHILD="+dir)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	buf := make([]byte, 64)
	n, _ := out.Read(buf) // blocks until the child has written
	require.Contains(t, string(buf[:n]), "written")
	require.NoError(t, cmd.Process.Kill())
	_ = cmd.Wait()

	partial, err := filepath.Glob(filepath.Join(dir, "tmp", "p-*", "put-*"))
	require.NoError(t, err)
	require.Len(t, partial, 1, "the killed writer's partial file")

	s, err := blob.NewFolder(dir)
	require.NoError(t, err)
	defer s.Close()
	partial, err = filepath.Glob(filepath.Join(dir, "tmp", "p-*", "put-*"))
	require.NoError(t, err)
	require.Empty(t, partial)
}

// Loose files of servers from before per-process spools go after an hour.
func TestLegacyTempsRemoved(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "tmp"), 0o750))
	stale := filepath.Join(dir, "tmp", "put-stale")
	fresh := filepath.Join(dir, "tmp", "put-fresh")
	require.NoError(t, os.WriteFile(stale, []byte("x"), 0o600))
	require.NoError(t, os.WriteFile(fresh, []byte("x"), 0o600))
	old := time.Now().Add(-2 * time.Hour)
	require.NoError(t, os.Chtimes(stale, old, old))
	s, err := blob.NewFolder(dir)
	require.NoError(t, err)
	defer s.Close()
	require.NoFileExists(t, stale)
	require.FileExists(t, fresh)
}
