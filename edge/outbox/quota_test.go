package outbox

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/edge/identity"
	"github.com/xiuhua/xiuhua/internal/reportsig"
	"github.com/xiuhua/xiuhua/internal/smalldisk"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// bigFiles is a picture and a clip ten times its size.
func bigFiles(seed string, pic, clip int) []File {
	return []File{
		{Name: "snapshot.jpg", Kind: xiuhuav1.EvidenceKind_EVIDENCE_KIND_SNAPSHOT, ContentType: "image/jpeg", Data: bytes.Repeat([]byte(seed[:1]), pic)},
		{Name: "clip.mp4", Kind: xiuhuav1.EvidenceKind_EVIDENCE_KIND_CLIP, ContentType: "video/mp4", Data: bytes.Repeat([]byte(seed[:1]), clip)},
	}
}

// evidenceOf lists, for every put id, the evidence names its queued report
// lists ("gone" when the item is no longer queued), checking each report's
// signature and every listed file's size and hash.
func evidenceOf(t *testing.T, o *Outbox, id *identity.Identity, ids []string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, ev := range ids {
		rep, err := o.Load(ev)
		if err != nil {
			require.ErrorIs(t, err, ErrNotFound)
			out[ev] = "gone"
			continue
		}
		_, err = reportsig.Verify(id.PublicKey(), rep)
		require.NoError(t, err, "%s: signature after shedding", ev)
		var names []string
		for _, f := range rep.Evidence {
			data := readEvidence(t, o, ev, f.Name)
			sum := sha256.Sum256(data)
			require.Equal(t, f.Sha256, hex.EncodeToString(sum[:]), "%s/%s", ev, f.Name)
			names = append(names, f.Name)
		}
		out[ev] = strings.Join(names, ",")
	}
	return out
}

// queuedBytes is the size of every file under queue/.
func queuedBytes(t *testing.T, o *Outbox) int64 {
	t.Helper()
	var n int64
	require.NoError(t, filepath.WalkDir(o.queueDir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			fi, err := d.Info()
			if err == nil {
				n += fi.Size()
			}
		}
		return err
	}))
	return n
}

// TestQuotaShedsClipsThenPicturesThenOldestReports: under a byte quota the
// outbox sheds, oldest first, clips, then pictures, then whole reports; the
// newest report is always kept, every remaining report still verifies, and
// shed.log names every report dropped.
func TestQuotaShedsClipsThenPicturesThenOldestReports(t *testing.T) {
	dir := t.TempDir()
	id, err := identity.LoadOrCreate(filepath.Join(dir, "key"))
	require.NoError(t, err)
	reg := prometheus.NewRegistry()
	const quota = 3000
	o, err := Open(filepath.Join(dir, "ob"), nil, reg, WithSigner(id.Sign), WithQuota(Quota{MaxBytes: quota}))
	require.NoError(t, err)
	defer o.Close()

	var ids []string
	for i := range 40 {
		ev := fmt.Sprintf("ev-%02d", i)
		ids = append(ids, ev)
		require.NoError(t, o.Put(report(ev), bigFiles(ev[3:], 1000, 10000)), "put %s: a full quota must not refuse new violations", ev)
		_, b, _ := o.Stats()
		require.LessOrEqual(t, b, int64(quota), "after %s", ev)
		require.Equal(t, queuedBytes(t, o), b, "after %s: Stats disagrees with the disk", ev)

		got := evidenceOf(t, o, id, ids)
		require.NotEqual(t, "gone", got[ev], "the newest report was dropped")
		// What is kept is the newest: whatever an item keeps, every newer
		// item keeps too.
		rank := map[string]int{"gone": 0, "": 1, "snapshot.jpg": 2, "snapshot.jpg,clip.mp4": 3}
		for j := 1; j < len(ids); j++ {
			require.LessOrEqual(t, rank[got[ids[j-1]]], rank[got[ids[j]]], "after %s: %s keeps more than the newer %s: %v", ev, ids[j-1], ids[j], got)
		}
		// Clips go before pictures: no item has lost its pictures while
		// an older one kept its clip.
		if slices.Contains([]string{"", "gone"}, got[ids[0]]) {
			for _, k := range ids[:len(ids)-1] {
				require.NotContains(t, got[k], "clip.mp4", "after %s", ev)
			}
		}
	}
	got := evidenceOf(t, o, id, ids)
	var gone []string
	for _, ev := range ids {
		if got[ev] == "gone" {
			gone = append(gone, ev)
		}
	}
	require.NotEmpty(t, gone, "40 reports should not fit in %d bytes", quota)
	log, err := os.ReadFile(filepath.Join(dir, "ob", shedLog))
	require.NoError(t, err)
	for _, ev := range gone {
		require.Contains(t, string(log), " shed "+ev+" ")
	}
	require.Equal(t, float64(len(gone)), counter(t, o.metrics.shedItems.WithLabelValues("report")))
	require.Positive(t, counter(t, o.metrics.shedItems.WithLabelValues("clip")))
	require.Positive(t, counter(t, o.metrics.shedItems.WithLabelValues("pictures")))

	// The shed state is what a restart finds.
	require.NoError(t, o.Close())
	o2 := open(t, filepath.Join(dir, "ob"), WithSigner(id.Sign))
	require.Equal(t, got, evidenceOf(t, o2, id, ids))
}

// TestQuotaShedsOldClips: an item older than MaxClipAge loses its clip at
// the next Put, and keeps its picture; a young item keeps both.
func TestQuotaShedsOldClips(t *testing.T) {
	dir := t.TempDir()
	o := open(t, dir)
	require.NoError(t, o.Put(report("old"), files("a")))
	require.NoError(t, o.Close())
	past := time.Now().Add(-2 * time.Hour)
	require.NoError(t, os.Chtimes(filepath.Join(dir, "queue", "old", reportFile), past, past))

	o = open(t, dir, WithQuota(Quota{MaxClipAge: time.Hour}))
	require.NoError(t, o.Put(report("new"), files("b")))
	for ev, want := range map[string][]string{"old": {"snapshot.jpg"}, "new": {"snapshot.jpg", "clip.mp4"}} {
		rep, err := o.Load(ev)
		require.NoError(t, err)
		var names []string
		for _, f := range rep.Evidence {
			names = append(names, f.Name)
		}
		require.Equal(t, want, names, ev)
	}
	_, err := os.Stat(filepath.Join(dir, "queue", "old", "clip.mp4"))
	require.ErrorIs(t, err, os.ErrNotExist)
}

// TestFullDiskKeepsNewViolations: on a disk too small for what the outbox
// is given (a 2 MiB tmpfs), no Put fails: old clips are shed to make room,
// every report stays, and DiskFull says so until the queue is sent and
// there is room again.
func TestFullDiskKeepsNewViolations(t *testing.T) {
	disk := smalldisk.Mount(t, 2<<20)
	o := open(t, filepath.Join(disk, "ob"))
	var ids []string
	for i := range 40 {
		ev := fmt.Sprintf("ev-%02d", i)
		ids = append(ids, ev)
		require.NoError(t, o.Put(report(ev), bigFiles(ev[3:], 10_000, 100_000)), "put %s on a full disk", ev)
	}
	n, _, _ := o.Stats()
	require.Equal(t, 40, n, "a report was lost to the full disk")
	full, detail, _ := o.DiskFull()
	require.True(t, full)
	require.Contains(t, detail, "no space left")
	newest, err := o.Load(ids[len(ids)-1])
	require.NoError(t, err)
	require.Len(t, newest.Evidence, 2, "the newest violation lost evidence while older clips were left")
	oldest, err := o.Load(ids[0])
	require.NoError(t, err)
	require.Len(t, oldest.Evidence, 1, "the oldest clip was kept")

	// The uplink comes back: everything is sent, and the next Put finds room.
	for _, ev := range ids {
		require.NoError(t, o.Ack(ev))
	}
	require.NoError(t, o.Put(report("after"), bigFiles("z", 10_000, 100_000)))
	full, _, _ = o.DiskFull()
	require.False(t, full)
}

func counter(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	require.NoError(t, c.Write(&m))
	return m.GetCounter().GetValue()
}

// TestFullDiskDropsOldReportsOnlyForNewReports: on a disk filled by
// something else, a new violation with a big clip makes room from the older
// items' pictures and is stored without its clip; the older reports stay,
// since dropping them could not have made room for the clip anyway.
func TestFullDiskDropsOldReportsOnlyForNewReports(t *testing.T) {
	disk := smalldisk.Mount(t, 1<<20)
	o := open(t, filepath.Join(disk, "ob"))
	for _, ev := range []string{"a", "b", "c"} {
		require.NoError(t, o.Put(report(ev), bigFiles(ev, 1000, 0)[:1]))
	}
	smalldisk.Fill(t, disk, "filler")
	require.NoError(t, o.Put(report("new"), bigFiles("n", 1000, 200_000)))

	n, _, _ := o.Stats()
	require.Equal(t, 4, n, "an older report was dropped to make room for a clip")
	rep, err := o.Load("new")
	require.NoError(t, err)
	for _, f := range rep.Evidence {
		require.NotEqual(t, "clip.mp4", f.Name, "a 200 kB clip on a full disk?")
	}
	require.Equal(t, 1.0, counter(t, o.metrics.shedItems.WithLabelValues("clip")), "the new item's own clip, counted")
	full, _, _ := o.DiskFull()
	require.True(t, full)
	_, b, _ := o.Stats()
	require.Equal(t, queuedBytes(t, o), b)
}
