package outbox

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"syscall"

	"github.com/xiuhua/xiuhua/internal/durable"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// heldFile marks an item that waits for more evidence (PutHeld). It starts
// with a dot, so no evidence file can have its name.
const heldFile = ".held"

// write seals the item and writes it into a new folder under tmp/. When
// the disk is full it makes room step by step, and at each step tries
// again: the older items' clips and pictures go first, then the new item's
// own clip, then its pictures, and only then older reports, to store the
// newest report. A full disk must not turn into violations never stored.
func (o *Outbox) write(report *xiuhuav1.ViolationReport, files []File, held bool) (string, *Item, error) {
	id := report.GetEventId()
	steps := []struct {
		keep        func(File) bool // which of the new item's files to write
		dropReports bool            // whether older reports may go
	}{
		{keepAll, false}, {keepAll, false}, {notClip, false}, {keepNone, true},
	}
	var err error
	for i, step := range steps {
		kept := slices.DeleteFunc(slices.Clone(files), func(f File) bool { return !step.keep(f) })
		data, it, serr := o.seal(report, kept)
		if serr != nil {
			return "", nil, serr
		}
		it.held = held
		if i > 0 && o.makeRoom(it.diskSize(), id, step.dropReports) == 0 && i == 1 {
			continue // nothing freed: the same item would not fit either
		}
		var tmp string
		tmp, err = o.writeTmp(id, kept, data, held)
		if err == nil {
			if i == 0 && roomy(o.dir) {
				o.setDiskFull(nil)
			}
			if len(kept) < len(files) {
				o.ownShed(id, files, kept)
			}
			return tmp, it, nil
		}
		if !isNoSpace(err) {
			return "", nil, err
		}
		o.setDiskFull(err)
	}
	return "", nil, err
}

// ownShed counts and logs the evidence a new item was stored without.
func (o *Outbox) ownShed(id string, files, kept []File) {
	count := func(fs []File, match func(File) bool) int {
		n := 0
		for _, f := range fs {
			if match(f) {
				n++
			}
		}
		return n
	}
	clip := func(f File) bool { return !notClip(f) }
	var st shedStats
	if count(files, clip) > count(kept, clip) {
		st.clips = 1
	}
	if count(files, notClip) > count(kept, notClip) {
		st.pictures = 1
	}
	o.metrics.shed(st)
	o.logger.Warn("outbox stored a new violation without some of its evidence: no room on disk",
		"event_id", id, "files", len(kept), "of", len(files))
}

func keepAll(File) bool   { return true }
func notClip(f File) bool { return f.Kind != xiuhuav1.EvidenceKind_EVIDENCE_KIND_CLIP }
func keepNone(File) bool  { return false }

// diskSize is about what the item takes on disk: its files rounded up to
// whole blocks, and the folder.
func (it *Item) diskSize() int64 {
	n := int64(2 * blockSize)
	for _, sz := range []int64{it.clip, it.pics, it.Bytes - it.clip - it.pics} {
		n += diskSize(sz)
	}
	return n
}

func (o *Outbox) writeTmp(id string, files []File, report []byte, held bool) (string, error) {
	tmp, err := os.MkdirTemp(o.tmpDir, id+".")
	if err != nil {
		return "", err
	}
	if err := writeItem(tmp, files, report, held); err != nil {
		os.RemoveAll(tmp)
		return "", err
	}
	return tmp, nil
}

func writeItem(dir string, files []File, report []byte, held bool) error {
	for _, f := range files {
		if err := writeFileSync(filepath.Join(dir, f.Name), f.Data); err != nil {
			return err
		}
	}
	if held {
		if err := writeFileSync(filepath.Join(dir, heldFile), nil); err != nil {
			return err
		}
	}
	// The report goes last: an item with report.pb is complete.
	if err := writeFileSync(filepath.Join(dir, reportFile), report); err != nil {
		return err
	}
	return durable.SyncDir(dir)
}

// blockSize is what a file system spends at least on a non-empty file.
const blockSize = 4096

func diskSize(n int64) int64 { return (n + blockSize - 1) / blockSize * blockSize }

// isNoSpace reports a full disk, or a full quota on it.
func isNoSpace(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}
