// Package blobtest is the behaviour every blob.Store backend must have,
// checked alike for the folder and for S3 (against a real S3 server).
package blobtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/blob"
)

// Backend is a store under test.
type Backend struct {
	Store blob.Store
	// SpoolDir is the store's own spool folder, which must hold nothing
	// but its lock once every writer has ended.
	SpoolDir string
	// Overwrite replaces stored content behind the store's back, to check
	// that corruption is caught on read.
	Overwrite func(sha string, data []byte) error
}

// Sum is the lowercase hex sha256 of b.
func Sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// Run checks b.
func Run(t *testing.T, b Backend) {
	tests := []struct {
		name string
		fn   func(*testing.T, Backend)
	}{
		{"PutOpenStat", testPutOpenStat},
		{"Empty", testEmpty},
		{"Missing", testMissing},
		{"BadSHA", testBadSHA},
		{"Abort", testAbort},
		{"PutReadError", testPutReadError},
		{"ConcurrentSameContent", testConcurrentSame},
		{"ConcurrentCommits", testConcurrentCommits},
		{"DeleteAndWalk", testDeleteWalk},
		{"RecommitRenewsTime", testRecommit},
		{"CheckedCatchesCorruption", testCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fn(t, b)
			spoolEmpty(t, b.SpoolDir)
		})
	}
}

func spoolEmpty(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		if e.Name() != "lock" {
			names = append(names, e.Name())
		}
	}
	require.Empty(t, names, "spool files left behind")
}

func read(t *testing.T, s blob.Store, sha string) []byte {
	t.Helper()
	o, err := s.Open(context.Background(), sha)
	require.NoError(t, err)
	defer o.Close()
	got, err := io.ReadAll(o)
	require.NoError(t, err)
	require.Equal(t, int64(len(got)), o.Info().Size)
	return got
}

func testPutOpenStat(t *testing.T, b Backend) {
	ctx := context.Background()
	// Larger than an S3 part: the upload goes multipart.
	data := bytes.Repeat([]byte("绣花"), 3_000_000)
	ref, err := blob.Put(ctx, b.Store, bytes.NewReader(data))
	require.NoError(t, err)
	require.Equal(t, blob.Ref{SHA256: Sum(data), Size: int64(len(data))}, ref)
	info, err := b.Store.Stat(ctx, ref.SHA256)
	require.NoError(t, err)
	require.Equal(t, ref.Size, info.Size)
	require.WithinDuration(t, time.Now(), info.ModTime, time.Hour)
	require.Equal(t, data, read(t, b.Store, ref.SHA256))

	// Same content again: same address.
	ref2, err := blob.Put(ctx, b.Store, bytes.NewReader(data))
	require.NoError(t, err)
	require.Equal(t, ref, ref2)

	// Seeking, as http.ServeContent does for a Range request.
	o, err := b.Store.Open(ctx, ref.SHA256)
	require.NoError(t, err)
	defer o.Close()
	_, err = o.Seek(int64(len(data))-6, io.SeekStart)
	require.NoError(t, err)
	tail, err := io.ReadAll(o)
	require.NoError(t, err)
	require.Equal(t, "绣花", string(tail))
}

func testEmpty(t *testing.T, b Backend) {
	ref, err := blob.Put(context.Background(), b.Store, strings.NewReader(""))
	require.NoError(t, err)
	require.Equal(t, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", ref.SHA256)
	require.Zero(t, ref.Size)
	require.Empty(t, read(t, b.Store, ref.SHA256))
}

func testMissing(t *testing.T, b Backend) {
	ctx := context.Background()
	missing := Sum([]byte("nothing at all"))
	ok, err := blob.Has(ctx, b.Store, missing)
	require.NoError(t, err)
	require.False(t, ok)
	_, err = b.Store.Open(ctx, missing)
	require.ErrorIs(t, err, blob.ErrNotFound)
	_, err = b.Store.Stat(ctx, missing)
	require.ErrorIs(t, err, blob.ErrNotFound)
	require.NoError(t, b.Store.Delete(ctx, missing))
}

func testBadSHA(t *testing.T, b Backend) {
	ctx := context.Background()
	for _, bad := range []string{"", "../../etc/passwd", strings.Repeat("A", 64), strings.Repeat("a", 63), strings.Repeat("g", 64)} {
		_, err := b.Store.Open(ctx, bad)
		require.ErrorIs(t, err, blob.ErrBadSHA256, bad)
		_, err = b.Store.Stat(ctx, bad)
		require.ErrorIs(t, err, blob.ErrBadSHA256, bad)
		require.ErrorIs(t, b.Store.Delete(ctx, bad), blob.ErrBadSHA256, bad)
	}
}

func testAbort(t *testing.T, b Backend) {
	ctx := context.Background()
	w, err := b.Store.Create(ctx)
	require.NoError(t, err)
	_, err = w.Write([]byte("partial"))
	require.NoError(t, err)
	require.Equal(t, int64(7), w.Size())
	require.Equal(t, Sum([]byte("partial")), w.SHA256())
	w.Abort()
	w.Abort() // idempotent
	_, err = w.Write([]byte("x"))
	require.Error(t, err)
	_, err = w.Commit(ctx)
	require.Error(t, err)
	ok, err := blob.Has(ctx, b.Store, Sum([]byte("partial")))
	require.NoError(t, err)
	require.False(t, ok)
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func testPutReadError(t *testing.T, b Backend) {
	_, err := blob.Put(context.Background(), b.Store, io.MultiReader(strings.NewReader("abc"), failingReader{}))
	require.ErrorContains(t, err, "disk on fire")
}

func testConcurrentSame(t *testing.T, b Backend) {
	data := bytes.Repeat([]byte{7}, 1<<16)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			ref, err := blob.Put(context.Background(), b.Store, bytes.NewReader(data))
			if err == nil && ref.SHA256 != Sum(data) {
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
	require.Equal(t, data, read(t, b.Store, Sum(data)))
}
