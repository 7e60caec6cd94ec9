package blob

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func TestPutOpenHas(t *testing.T) {
	dir := t.TempDir()
	s, err := New(dir)
	require.NoError(t, err)

	data := bytes.Repeat([]byte("绣花"), 100_000)
	ref, err := s.Put(bytes.NewReader(data))
	require.NoError(t, err)
	require.Equal(t, Ref{SHA256: sum(data), Size: int64(len(data))}, ref)

	require.FileExists(t, filepath.Join(dir, ref.SHA256[:2], ref.SHA256))
	ok, err := s.Has(ref.SHA256)
	require.NoError(t, err)
	require.True(t, ok)

	f, err := s.Open(ref.SHA256)
	require.NoError(t, err)
	got, err := io.ReadAll(f)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	require.Equal(t, data, got)

	// Same content again: same address, no leftovers in tmp.
	ref2, err := s.Put(bytes.NewReader(data))
	require.NoError(t, err)
	require.Equal(t, ref, ref2)
	tmp, err := os.ReadDir(filepath.Join(dir, tmpDir))
	require.NoError(t, err)
	require.Empty(t, tmp)
}

func TestEmpty(t *testing.T) {
	s, err := New(t.TempDir())
	require.NoError(t, err)
	ref, err := s.Put(strings.NewReader(""))
	require.NoError(t, err)
	require.Equal(t, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", ref.SHA256)
	require.Zero(t, ref.Size)
}

func TestMissing(t *testing.T) {
	s, err := New(t.TempDir())
	require.NoError(t, err)
	missing := sum([]byte("nothing"))
	ok, err := s.Has(missing)
	require.NoError(t, err)
	require.False(t, ok)
	_, err = s.Open(missing)
	require.ErrorIs(t, err, ErrNotFound)
}

func TestBadSHA(t *testing.T) {
	s, err := New(t.TempDir())
	require.NoError(t, err)
	for _, bad := range []string{
		"",
		"../../../../etc/passwd",
		"..",
		strings.Repeat("a", 63),
		strings.Repeat("a", 65),
		strings.ToUpper(sum([]byte("x"))),
		"../" + sum([]byte("x"))[3:],
		strings.Repeat("g", 64),
		sum([]byte("x"))[:62] + "/a",
	} {
		t.Run(bad, func(t *testing.T) {
			_, err := s.Open(bad)
			require.ErrorIs(t, err, ErrBadSHA256)
			_, err = s.Has(bad)
			require.ErrorIs(t, err, ErrBadSHA256)
		})
	}
}

func TestWriterAbort(t *testing.T) {
	dir := t.TempDir()
	s, err := New(dir)
	require.NoError(t, err)
	w, err := s.Create()
	require.NoError(t, err)
	_, err = w.Write([]byte("partial"))
	require.NoError(t, err)
	require.Equal(t, int64(7), w.Size())
	require.Equal(t, sum([]byte("partial")), w.SHA256())
	w.Abort()
	w.Abort() // idempotent
	_, err = w.Write([]byte("x"))
	require.Error(t, err)
	_, err = w.Commit()
	require.Error(t, err)
	ok, err := s.Has(sum([]byte("partial")))
	require.NoError(t, err)
	require.False(t, ok)
	tmp, err := os.ReadDir(filepath.Join(dir, tmpDir))
	require.NoError(t, err)
	require.Empty(t, tmp)
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestPutReadError(t *testing.T) {
	dir := t.TempDir()
	s, err := New(dir)
	require.NoError(t, err)
	_, err = s.Put(io.MultiReader(strings.NewReader("abc"), failingReader{}))
	require.ErrorContains(t, err, "disk on fire")
	tmp, err := os.ReadDir(filepath.Join(dir, tmpDir))
	require.NoError(t, err)
	require.Empty(t, tmp)
}

func TestConcurrentSameContent(t *testing.T) {
	s, err := New(t.TempDir())
	require.NoError(t, err)
	data := bytes.Repeat([]byte{7}, 1<<16)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			ref, err := s.Put(bytes.NewReader(data))
			if err == nil && ref.SHA256 != sum(data) {
				err = errors.New("wrong sum")
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}

func TestNewRemovesStaleTemps(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, tmpDir), 0o750))
	stale := filepath.Join(dir, tmpDir, "put-stale")
	fresh := filepath.Join(dir, tmpDir, "put-fresh")
	require.NoError(t, os.WriteFile(stale, []byte("x"), 0o600))
	require.NoError(t, os.WriteFile(fresh, []byte("x"), 0o600))
	old := time.Now().Add(-2 * staleTemp)
	require.NoError(t, os.Chtimes(stale, old, old))
	_, err := New(dir)
	require.NoError(t, err)
	require.NoFileExists(t, stale)
	require.FileExists(t, fresh)
}

// Many writers committing at once, each its own content: every commit is
// stored, readable with its content, and nothing is left in tmp.
func TestConcurrentCommits(t *testing.T) {
	dir := t.TempDir()
	s, err := New(dir)
	require.NoError(t, err)
	const writers, each = 16, 8
	refs := make([][]Ref, writers)
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for g := range writers {
		wg.Go(func() {
			for i := range each {
				w, err := s.Create()
				if err != nil {
					errs[g] = err
					return
				}
				data := bytes.Repeat([]byte{byte(g), byte(i)}, 10_000+g*100+i)
				if _, err := w.Write(data); err != nil {
					errs[g] = err
					return
				}
				ref, err := w.Commit()
				if err != nil {
					errs[g] = err
					return
				}
				refs[g] = append(refs[g], ref)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}

	seen := map[string]bool{}
	for g := range writers {
		require.Len(t, refs[g], each)
		for i, ref := range refs[g] {
			want := bytes.Repeat([]byte{byte(g), byte(i)}, 10_000+g*100+i)
			require.Equal(t, Ref{SHA256: sum(want), Size: int64(len(want))}, ref)
			f, err := s.Open(ref.SHA256)
			require.NoError(t, err)
			got, err := io.ReadAll(f)
			require.NoError(t, err)
			require.NoError(t, f.Close())
			require.Equal(t, want, got)
			seen[ref.SHA256] = true
		}
	}
	require.Len(t, seen, writers*each)

	stored := 0
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && ValidSHA256(d.Name()) {
			stored++
		}
		return err
	}))
	require.Equal(t, writers*each, stored)
	tmp, err := os.ReadDir(filepath.Join(dir, tmpDir))
	require.NoError(t, err)
	require.Empty(t, tmp)
}
