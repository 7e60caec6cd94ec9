package outbox

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/edge/identity"
	"github.com/xiuhua/xiuhua/internal/reportsig"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// TestHeldItemWaitsForItsClip: a held item is on disk at once but is not
// handed to the sender until its clip is attached; the report then lists
// the clip and verifies.
func TestHeldItemWaitsForItsClip(t *testing.T) {
	dir := t.TempDir()
	id, err := identity.LoadOrCreate(filepath.Join(dir, "key"))
	require.NoError(t, err)
	o := open(t, filepath.Join(dir, "ob"), WithSigner(id.Sign))
	fs := files("a")
	require.NoError(t, o.PutHeld(report("held"), fs[:1]))
	require.NoError(t, o.Put(report("later"), files("b")))

	it, ok := o.Next()
	require.True(t, ok)
	require.Equal(t, "later", it.ID, "a held item was offered for sending")
	require.NoError(t, o.Ack("later"))
	_, ok = o.Next()
	require.False(t, ok, "a held item was offered for sending")
	n, _, _ := o.Stats()
	require.Equal(t, 1, n)

	require.NoError(t, o.Attach("held", fs[1]))
	it, ok = o.Next()
	require.True(t, ok)
	require.Equal(t, "held", it.ID)
	rep, err := o.Load("held")
	require.NoError(t, err)
	require.Len(t, rep.Evidence, 2)
	require.Equal(t, xiuhuav1.EvidenceKind_EVIDENCE_KIND_CLIP, rep.Evidence[1].Kind)
	_, err = reportsig.Verify(id.PublicKey(), rep)
	require.NoError(t, err)
	require.Equal(t, fs[1].Data, readEvidence(t, o, "held", "clip.mp4"))
	_, b, _ := o.Stats()
	require.Equal(t, queuedBytes(t, o), b)

	require.ErrorIs(t, o.Attach("held", File{Name: "x.mp4", Data: []byte("x")}), ErrNotHeld, "attached twice")
	require.ErrorIs(t, o.Release("nope"), ErrNotFound)
}

// TestHeldItemSurvivesACrash: a held item whose process died before the
// clip came is there after Open, released, without the clip.
func TestHeldItemSurvivesACrash(t *testing.T) {
	dir := t.TempDir()
	o := open(t, dir)
	require.NoError(t, o.PutHeld(report("held"), files("a")[:1]))
	require.NoError(t, o.Close()) // as a crash would: nothing else is done

	o = open(t, dir)
	it, ok := o.Next()
	require.True(t, ok, "the held violation was lost with its process")
	require.Equal(t, "held", it.ID)
	require.False(t, it.Held())
	require.True(t, errors.Is(o.Attach("held", files("a")[1]), ErrNotHeld))
}

// TestReleaseSendsWithoutTheClip: a held item whose clip could not be cut
// is released and sent with what it has.
func TestReleaseSendsWithoutTheClip(t *testing.T) {
	o := open(t, t.TempDir())
	require.NoError(t, o.PutHeld(report("held"), files("a")[:1]))
	require.NoError(t, o.Release("held"))
	it, ok := o.Next()
	require.True(t, ok)
	require.Equal(t, "held", it.ID)
	rep, err := o.Load("held")
	require.NoError(t, err)
	require.Len(t, rep.Evidence, 1)
}

// TestFailingItemRetriedBehindNewerOnes: an item that fails RetryBehind
// times in a row goes behind the others, which are sent meanwhile; it is
// still retried, and nothing is skipped for good.
func TestFailingItemRetriedBehindNewerOnes(t *testing.T) {
	o := open(t, t.TempDir())
	for _, ev := range []string{"a", "b", "c"} {
		require.NoError(t, o.Put(report(ev), files(ev)))
	}
	var order []string
	for range 20 {
		it, ok := o.Next()
		if !ok {
			break
		}
		order = append(order, it.ID)
		if it.ID == "a" && it.Attempts < 2*RetryBehind {
			o.Failed(it.ID, errors.New("Unavailable"))
			continue
		}
		require.NoError(t, o.Ack(it.ID))
	}
	require.Equal(t, []string{"a", "a", "a", "b", "c", "a", "a", "a", "a"}, order)
	n, _, _ := o.Stats()
	require.Zero(t, n)
}
