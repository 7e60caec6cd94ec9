package outbox

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/xiuhua/xiuhua/edge/identity"
	"github.com/xiuhua/xiuhua/internal/reportsig"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

func report(id string) *xiuhuav1.ViolationReport {
	return &xiuhuav1.ViolationReport{
		EventId:       id,
		DeviceId:      "box-1",
		CameraId:      "cam-1",
		ViolationType: "street_vending",
		ObservedAt:    timestamppb.Now(),
		DwellSeconds:  421.5,
	}
}

func files(seed string) []File {
	return []File{
		{Name: "snapshot.jpg", Kind: xiuhuav1.EvidenceKind_EVIDENCE_KIND_SNAPSHOT, ContentType: "image/jpeg", Data: []byte("jpeg " + seed)},
		{Name: "clip.mp4", Kind: xiuhuav1.EvidenceKind_EVIDENCE_KIND_CLIP, ContentType: "video/mp4", Data: bytes.Repeat([]byte(seed), 1000)},
	}
}

func open(t *testing.T, dir string, opts ...Option) *Outbox {
	t.Helper()
	o, err := Open(dir, nil, nil, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { o.Close() })
	return o
}

func readEvidence(t *testing.T, o *Outbox, id, name string) []byte {
	t.Helper()
	f, err := o.OpenEvidence(id, name)
	require.NoError(t, err)
	defer f.Close()
	b, err := io.ReadAll(f)
	require.NoError(t, err)
	return b
}

func TestPutSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	_, priv, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	id := identity.New(priv)

	o := open(t, dir, WithSigner(id.Sign))
	r := report("ev-1")
	fs := files("abc")
	require.NoError(t, o.Put(r, fs))

	// Put filled in the evidence list and signed it.
	require.Len(t, r.Evidence, 2)
	for i, f := range fs {
		sum := sha256.Sum256(f.Data)
		require.Equal(t, f.Name, r.Evidence[i].Name)
		require.Equal(t, f.Kind, r.Evidence[i].Kind)
		require.Equal(t, f.ContentType, r.Evidence[i].ContentType)
		require.Equal(t, int64(len(f.Data)), r.Evidence[i].Size)
		require.Equal(t, hex.EncodeToString(sum[:]), r.Evidence[i].Sha256)
	}
	require.True(t, verifies(id.PublicKey(), r))
	require.NoError(t, o.Close())

	o = open(t, dir) // restart
	items := o.Pending()
	require.Len(t, items, 1)
	require.Equal(t, "ev-1", items[0].ID)
	require.Equal(t, filepath.Join(dir, "queue", "ev-1"), items[0].Dir)
	require.False(t, items[0].Created.IsZero())

	got, err := o.Load("ev-1")
	require.NoError(t, err)
	require.True(t, proto.Equal(r, got), "report changed on disk")
	require.True(t, verifies(id.PublicKey(), got))
	for _, f := range fs {
		require.Equal(t, f.Data, readEvidence(t, o, "ev-1", f.Name))
	}
}

func TestOpenCleansCrashLeftovers(t *testing.T) {
	dir := t.TempDir()
	o := open(t, dir)
	require.NoError(t, o.Put(report("kept"), files("k")))
	require.NoError(t, o.Close())

	// A crash in the middle of Put: half an item in tmp/.
	half := filepath.Join(dir, "tmp", "ev-half.123456")
	require.NoError(t, os.MkdirAll(half, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(half, "snapshot.jpg"), []byte("jp"), 0o600))
	// A crash in the middle of Ack: the renamed item not yet deleted.
	acked := filepath.Join(dir, "tmp", "ev-acked.acked-xyz")
	require.NoError(t, os.MkdirAll(acked, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(acked, reportFile), []byte("x"), 0o600))
	// Something that should never be in queue/: an item with no report.
	broken := filepath.Join(dir, "queue", "ev-broken")
	require.NoError(t, os.MkdirAll(broken, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(broken, "clip.mp4"), []byte("mp4"), 0o600))

	o = open(t, dir)
	left, err := os.ReadDir(filepath.Join(dir, "tmp"))
	require.NoError(t, err)
	require.Empty(t, left)

	items := o.Pending()
	require.Len(t, items, 1)
	require.Equal(t, "kept", items[0].ID)

	// The broken item is set aside with the reason, not deleted.
	reason, err := os.ReadFile(filepath.Join(dir, "dead", "ev-broken", reasonFile))
	require.NoError(t, err)
	require.Contains(t, string(reason), "has no report.pb")
	require.Equal(t, 1, o.DeadCount())
}

func TestAckRemoves(t *testing.T) {
	dir := t.TempDir()
	o := open(t, dir)
	require.NoError(t, o.Put(report("ev-1"), files("a")))
	require.NoError(t, o.Put(report("ev-2"), files("b")))

	require.NoError(t, o.Ack("ev-1"))
	require.ErrorIs(t, o.Ack("ev-1"), ErrNotFound)
	_, err := o.Load("ev-1")
	require.ErrorIs(t, err, ErrNotFound)
	require.NoDirExists(t, filepath.Join(dir, "queue", "ev-1"))
	left, err := os.ReadDir(filepath.Join(dir, "tmp"))
	require.NoError(t, err)
	require.Empty(t, left)

	require.NoError(t, o.Close())
	o = open(t, dir)
	items := o.Pending()
	require.Len(t, items, 1)
	require.Equal(t, "ev-2", items[0].ID)

	// An acked id may be queued again: the server stores it once.
	require.NoError(t, o.Put(report("ev-1"), files("a")))
}

func TestPendingInAgeOrderAndStats(t *testing.T) {
	reg := prometheus.NewRegistry()
	o, err := Open(t.TempDir(), nil, reg)
	require.NoError(t, err)
	t.Cleanup(func() { o.Close() })

	n, b, age := o.Stats()
	require.Zero(t, n)
	require.Zero(t, b)
	require.Zero(t, age)

	ids := []string{"c", "a", "b", "e", "d"}
	for _, id := range ids {
		require.NoError(t, o.Put(report(id), files(id)))
	}
	var got []string
	for _, it := range o.Pending() {
		got = append(got, it.ID)
	}
	require.Equal(t, ids, got)
	oldest, ok := o.Oldest()
	require.True(t, ok)
	require.Equal(t, "c", oldest.ID)

	var want int64
	for _, id := range ids {
		want += dirSize(t, filepath.Join(o.queueDir, id))
	}
	n, b, age = o.Stats()
	require.Equal(t, 5, n)
	require.Equal(t, want, b)
	require.Positive(t, age)

	require.NoError(t, o.Ack("c"))
	o.Failed("a", fmt.Errorf("boom"))
	require.NoError(t, o.Reject("a", "no"))
	m := gather(t, reg)
	require.Equal(t, 3.0, m["xiuhua_outbox_items"])
	require.Equal(t, 5.0, m["xiuhua_outbox_put_total"])
	require.Equal(t, 1.0, m["xiuhua_outbox_sent_total"])
	require.Equal(t, 1.0, m["xiuhua_outbox_failed_total"])
	require.Equal(t, 1.0, m["xiuhua_outbox_rejected_total"])
	require.Equal(t, 1.0, m["xiuhua_outbox_dead_items"])
	_, b, _ = o.Stats()
	require.Equal(t, float64(b), m["xiuhua_outbox_bytes"])
	require.Positive(t, m["xiuhua_outbox_oldest_age_seconds"])

	// Close unregisters: the outbox can be opened again on the same registry.
	require.NoError(t, o.Close())
	o2, err := Open(o.dir, nil, reg)
	require.NoError(t, err)
	require.NoError(t, o2.Close())
}

func TestRejectMovesToDeadWithReason(t *testing.T) {
	dir := t.TempDir()
	o := open(t, dir)
	fs := files("x")
	require.NoError(t, o.Put(report("ev-1"), fs))
	o.Failed("ev-1", fmt.Errorf("unavailable"))

	require.NoError(t, o.Reject("ev-1", "InvalidArgument: unknown camera cam-1"))
	require.Empty(t, o.Pending())
	require.ErrorIs(t, o.Reject("ev-1", "again"), ErrNotFound)

	deadDir := filepath.Join(dir, "dead", "ev-1")
	reason, err := os.ReadFile(filepath.Join(deadDir, reasonFile))
	require.NoError(t, err)
	require.Contains(t, string(reason), "reason: InvalidArgument: unknown camera cam-1")
	require.Contains(t, string(reason), "failed_attempts: 1")
	got, err := os.ReadFile(filepath.Join(deadDir, "clip.mp4"))
	require.NoError(t, err)
	require.Equal(t, fs[1].Data, got, "evidence kept")

	// A rejected id is not queued again by Put, only by Requeue.
	require.ErrorIs(t, o.Put(report("ev-1"), files("x")), ErrDuplicate)
	require.NoError(t, o.Requeue("ev-1"))
	require.Zero(t, o.DeadCount())
	items := o.Pending()
	require.Len(t, items, 1)
	r, err := o.Load("ev-1")
	require.NoError(t, err)
	require.Len(t, r.Evidence, 2)

	// Rejected twice: both kept.
	require.NoError(t, o.Reject("ev-1", "still no"))
	require.NoError(t, o.Requeue("ev-1"))
	require.NoError(t, o.Reject("ev-1", "no again"))
	require.NoError(t, o.Put(report("ev-2"), files("x")))
	require.NoError(t, o.Reject("ev-2", "no"))
	require.Equal(t, 2, o.DeadCount())
}

func TestPutRefusesBadInput(t *testing.T) {
	o := open(t, t.TempDir())
	tests := []struct {
		name    string
		id      string
		files   []File
		wantErr string
	}{
		{"empty id", "", nil, "empty name"},
		{"slash", "a/b", nil, "not allowed"},
		{"backslash", `a\b`, nil, "not allowed"},
		{"dot dot", "..", nil, "starts with a dot"},
		{"parent path", "../../etc", nil, "starts with a dot"},
		{"hidden", ".x", nil, "starts with a dot"},
		{"space", "a b", nil, "not allowed"},
		{"nul", "a\x00b", nil, "not allowed"},
		{"unicode", "违章", nil, "not allowed"},
		{"too long", strings.Repeat("a", MaxNameLen+1), nil, "at most"},
		{"bad file name", "ok", []File{{Name: "../x", Data: []byte("1")}}, "evidence file 0"},
		{"reserved file name", "ok", []File{{Name: reportFile, Data: []byte("1")}}, "reserved"},
		{"same file twice", "ok", []File{{Name: "a", Data: []byte("1")}, {Name: "a", Data: []byte("2")}}, "used twice"},
		{"empty file", "ok", []File{{Name: "a"}}, "is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.ErrorContains(t, o.Put(report(tt.id), tt.files), tt.wantErr)
		})
	}
	require.Empty(t, o.Pending())
	left, err := os.ReadDir(o.tmpDir)
	require.NoError(t, err)
	require.Empty(t, left)

	require.NoError(t, o.Put(report(strings.Repeat("a", MaxNameLen)), nil), "longest id, no evidence")
	require.NoError(t, o.Put(report("Cam_1-2026.01.02T03-04-05Z-17"), files("x")))
}

func TestPutDuplicateAndNotify(t *testing.T) {
	o := open(t, t.TempDir())
	select {
	case <-o.Notify():
		t.Fatal("notified before any Put")
	default:
	}
	require.NoError(t, o.Put(report("ev-1"), files("a")))
	select {
	case <-o.Notify():
	default:
		t.Fatal("Put did not notify")
	}
	require.ErrorIs(t, o.Put(report("ev-1"), files("b")), ErrDuplicate)
	got := readEvidence(t, o, "ev-1", "snapshot.jpg")
	require.Equal(t, "jpeg a", string(got), "duplicate Put changed the queued item")
}

func TestConcurrentPutAndAck(t *testing.T) {
	dir := t.TempDir()
	o := open(t, dir)
	const writers, each = 6, 15

	var wg sync.WaitGroup
	errs := make(chan error, writers*each+writers)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				id := fmt.Sprintf("w%d-%d", w, i)
				errs <- o.Put(report(id), files(id))
			}
		})
	}
	// Everyone tries the same id too: exactly one wins.
	for range writers {
		wg.Go(func() {
			if err := o.Put(report("shared"), files("s")); !errors.Is(err, ErrDuplicate) {
				errs <- err
			}
		})
	}
	// A consumer acks while producers put.
	acked := map[string]bool{}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			// "shared" is never acked: once gone, a later Put of it would
			// rightly succeed again and the one-winner count would not hold.
			for _, it := range o.Pending() {
				if it.ID == "shared" || len(acked) >= 20 {
					continue
				}
				if err := o.Ack(it.ID); err == nil {
					acked[it.ID] = true
				}
				break
			}
		}
	}()
	wg.Wait()
	close(stop)
	<-done
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}

	want := writers*each + 1 - len(acked)
	n, _, _ := o.Stats()
	require.Equal(t, want, n)
	for _, it := range o.Pending() {
		require.False(t, acked[it.ID])
	}

	require.NoError(t, o.Close())
	o = open(t, dir)
	require.Len(t, o.Pending(), want)
	for _, it := range o.Pending() {
		r, err := o.Load(it.ID)
		require.NoError(t, err)
		require.Equal(t, it.ID, r.EventId)
	}
}

func TestOpenIsExclusive(t *testing.T) {
	dir := t.TempDir()
	o := open(t, dir)
	_, err := Open(dir, nil, nil)
	require.ErrorContains(t, err, "in use")
	require.NoError(t, o.Close())
	o2, err := Open(dir, nil, nil)
	require.NoError(t, err)
	require.NoError(t, o2.Close())
	require.ErrorIs(t, o2.Put(report("x"), nil), ErrClosed)
}

func TestCorruptItemsAreReportedAsCorrupt(t *testing.T) {
	o := open(t, t.TempDir())
	require.NoError(t, o.Put(report("ev-1"), files("a")))
	require.NoError(t, o.Put(report("ev-2"), files("a")))
	require.NoError(t, os.WriteFile(filepath.Join(o.queueDir, "ev-1", reportFile), []byte("\xff\xff\xff"), 0o600))
	require.NoError(t, os.Remove(filepath.Join(o.queueDir, "ev-2", "clip.mp4")))

	_, err := o.Load("ev-1")
	require.ErrorIs(t, err, ErrCorrupt)
	_, err = o.OpenEvidence("ev-2", "clip.mp4")
	require.ErrorIs(t, err, ErrCorrupt)
	_, err = o.OpenEvidence("ev-2", "../ev-1/report.pb")
	require.ErrorIs(t, err, ErrCorrupt)
}

func dirSize(t *testing.T, dir string) int64 {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var n int64
	for _, e := range entries {
		fi, err := e.Info()
		require.NoError(t, err)
		n += fi.Size()
	}
	return n
}

func gather(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	require.NoError(t, err)
	m := map[string]float64{}
	for _, mf := range mfs {
		for _, x := range mf.GetMetric() {
			switch {
			case x.GetGauge() != nil:
				m[mf.GetName()] = x.GetGauge().GetValue()
			case x.GetCounter() != nil:
				m[mf.GetName()] = x.GetCounter().GetValue()
			}
		}
	}
	return m
}

// verifies reports whether r carries pub's valid signature.
func verifies(pub ed25519.PublicKey, r *xiuhuav1.ViolationReport) bool {
	_, err := reportsig.Verify(pub, r)
	return err == nil
}

func TestDeadListsRefusedItemsWithReasons(t *testing.T) {
	dir := t.TempDir()
	o := open(t, dir)
	for _, id := range []string{"ev-2", "ev-1", "ev-3"} {
		require.NoError(t, o.Put(report(id), files("x")))
	}
	require.NoError(t, o.Reject("ev-2", "PermissionDenied: camera cam-9 is not registered to edge-01"))
	require.NoError(t, o.Reject("ev-1", "InvalidArgument: bad box"))
	dead, err := o.Dead()
	require.NoError(t, err)
	require.Equal(t, []DeadItem{
		{ID: "ev-1", Reason: "InvalidArgument: bad box"},
		{ID: "ev-2", Reason: "PermissionDenied: camera cam-9 is not registered to edge-01"},
	}, dead)
	require.NoError(t, o.Requeue("ev-2"))
	dead, err = o.Dead()
	require.NoError(t, err)
	require.Len(t, dead, 1)
}
