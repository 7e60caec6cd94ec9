package blobtest

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/blob"
)

// Many writers committing at once, each its own content: every commit is
// stored and readable with its content.
func testConcurrentCommits(t *testing.T, b Backend) {
	const writers, each = 8, 4
	refs := make([][]blob.Ref, writers)
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for g := range writers {
		wg.Go(func() {
			for i := range each {
				data := bytes.Repeat([]byte{byte(g), byte(i), 'c'}, 10_000+g*100+i)
				ref, err := blob.Put(context.Background(), b.Store, bytes.NewReader(data))
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
	for g := range writers {
		require.Len(t, refs[g], each)
		for i, ref := range refs[g] {
			want := bytes.Repeat([]byte{byte(g), byte(i), 'c'}, 10_000+g*100+i)
			require.Equal(t, blob.Ref{SHA256: Sum(want), Size: int64(len(want))}, ref)
			require.Equal(t, want, read(t, b.Store, ref.SHA256))
		}
	}
}

func testDeleteWalk(t *testing.T, b Backend) {
	ctx := context.Background()
	keep, drop := []byte("walk: keep me"), []byte("walk: drop me")
	for _, d := range [][]byte{keep, drop} {
		_, err := blob.Put(ctx, b.Store, bytes.NewReader(d))
		require.NoError(t, err)
	}
	require.NoError(t, b.Store.Delete(ctx, Sum(drop)))
	ok, err := blob.Has(ctx, b.Store, Sum(drop))
	require.NoError(t, err)
	require.False(t, ok)

	seen := map[string]int64{}
	require.NoError(t, b.Store.Walk(ctx, func(i blob.Info) error {
		seen[i.SHA256] = i.Size
		return nil
	}))
	require.Equal(t, int64(len(keep)), seen[Sum(keep)])
	require.NotContains(t, seen, Sum(drop))

	// fn's error stops the walk and comes back.
	stop := errors.New("enough")
	calls := 0
	err = b.Store.Walk(ctx, func(blob.Info) error { calls++; return stop })
	require.ErrorIs(t, err, stop)
	require.Equal(t, 1, calls)
}

// Committing content already stored renews its time: the orphan sweeper's
// grace age counts from the last commit, not the first.
func testRecommit(t *testing.T, b Backend) {
	ctx := context.Background()
	data := []byte("recommit " + time.Now().String())
	_, err := blob.Put(ctx, b.Store, bytes.NewReader(data))
	require.NoError(t, err)
	first, err := b.Store.Stat(ctx, Sum(data))
	require.NoError(t, err)
	// S3 times have a resolution of one second.
	time.Sleep(1100 * time.Millisecond)
	_, err = blob.Put(ctx, b.Store, bytes.NewReader(data))
	require.NoError(t, err)
	second, err := b.Store.Stat(ctx, Sum(data))
	require.NoError(t, err)
	require.True(t, second.ModTime.After(first.ModTime), "first %v, second %v", first.ModTime, second.ModTime)
}

// Content changed behind the store's back is refused by a Checked store,
// and reported, not served.
func testCorrupt(t *testing.T, b Backend) {
	ctx := context.Background()
	good := []byte("the evidence as the edge sent it")
	ref, err := blob.Put(ctx, b.Store, bytes.NewReader(good))
	require.NoError(t, err)
	var reported []string
	c := blob.NewChecked(b.Store)
	c.OnCorrupt = func(sha string) { reported = append(reported, sha) }
	o, err := c.Open(ctx, ref.SHA256)
	require.NoError(t, err) // intact: served
	require.NoError(t, o.Close())

	require.NoError(t, b.Overwrite(ref.SHA256, []byte("the evidence as someone changed it")))
	c = blob.NewChecked(b.Store) // a fresh memory of passed checks
	c.OnCorrupt = func(sha string) { reported = append(reported, sha) }
	_, err = c.Open(ctx, ref.SHA256)
	require.ErrorIs(t, err, blob.ErrCorrupt)
	require.Equal(t, []string{ref.SHA256}, reported)
	require.NoError(t, b.Store.Delete(ctx, ref.SHA256))
}
