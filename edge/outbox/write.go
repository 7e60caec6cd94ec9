package outbox

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"

	"github.com/xiuhua/xiuhua/internal/durable"
)

// heldFile marks an item that waits for more evidence (PutHeld). It starts
// with a dot, so no evidence file can have its name.
const heldFile = ".held"

// writeTmp writes the item's files and report into a new folder under tmp/.
// When the disk is full it sheds older evidence to make room and tries
// again: the newest violation matters most, and a full disk must not turn
// into violations that are never stored.
func (o *Outbox) writeTmp(id string, files []File, report []byte, held bool) (string, error) {
	need := diskSize(int64(len(report))) + 2*blockSize
	for _, f := range files {
		need += diskSize(int64(len(f.Data)))
	}
	for try := 0; ; try++ {
		tmp, err := o.writeTmpOnce(id, files, report, held)
		if err == nil {
			if try == 0 && roomy(o.dir) {
				o.setDiskFull(nil)
			}
			return tmp, nil
		}
		if !isNoSpace(err) {
			return "", err
		}
		o.setDiskFull(err)
		if try == 3 || o.makeRoom(need<<try, id) == 0 {
			return "", err
		}
	}
}

func (o *Outbox) writeTmpOnce(id string, files []File, report []byte, held bool) (string, error) {
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
