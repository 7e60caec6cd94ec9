package outbox

import (
	"container/list"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/xiuhua/xiuhua/internal/durable"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// newReportFile is report.pb being replaced; its leading dot keeps it apart
// from evidence names.
const newReportFile = ".report.new"

// shedLog lists, one line each, the reports shed to make room: the one
// trace a dropped violation leaves on the box.
const shedLog = "shed.log"

// dropEvidence removes the evidence files of it that drop selects: the
// report is rewritten without them (and signed again, since the signature
// covers the evidence list), then the files are deleted. It returns the
// bytes freed. Called with mu held.
func (o *Outbox) dropEvidence(it *Item, drop func(*xiuhuav1.EvidenceFile) bool) (int64, error) {
	rep, err := readReport(it.Dir)
	if err != nil {
		return 0, err
	}
	var gone []string
	rep.Evidence = slices.DeleteFunc(rep.Evidence, func(f *xiuhuav1.EvidenceFile) bool {
		if drop(f) {
			gone = append(gone, f.GetName())
			return true
		}
		return false
	})
	if len(gone) == 0 {
		return 0, nil
	}
	data, err := o.encode(rep)
	if err != nil {
		return 0, err
	}
	err = replaceReport(it.Dir, data)
	if isNoSpace(err) {
		// Not even room for the shorter report: delete the files first.
		// A crash in between leaves a report naming a missing file,
		// which the sender sets aside in dead/ rather than lose.
		removeFiles(it.Dir, gone)
		err = replaceReport(it.Dir, data)
	}
	if err != nil {
		return 0, err
	}
	removeFiles(it.Dir, gone)
	return o.retally(it, rep)
}

// retally recounts it after its files changed. Called with mu held.
func (o *Outbox) retally(it *Item, rep *xiuhuav1.ViolationReport) (int64, error) {
	before := it.Bytes
	it.tally(rep)
	fi, err := os.Stat(filepath.Join(it.Dir, reportFile))
	if err != nil {
		return 0, err
	}
	it.Bytes += fi.Size()
	o.bytes += it.Bytes - before
	return before - it.Bytes, nil
}

// dropItem removes a whole queued item to make room and notes it in
// shed.log. Called with mu held.
func (o *Outbox) dropItem(e *list.Element, why string) (int64, error) {
	it := e.Value.(*Item)
	trash := filepath.Join(o.tmpDir, it.ID+".shed-"+strconv.FormatInt(time.Now().UnixNano(), 36))
	if err := os.Rename(it.Dir, trash); err != nil {
		return 0, err
	}
	o.remove(e)
	if err := os.RemoveAll(trash); err != nil {
		o.logger.Warn("outbox could not delete a shed item", "event_id", it.ID, "err", err)
	}
	if err := durable.SyncDir(o.queueDir); err != nil {
		return it.Bytes, err
	}
	line := fmt.Sprintf("%s shed %s created %s (%s)\n", time.Now().UTC().Format(time.RFC3339), it.ID,
		it.Created.UTC().Format(time.RFC3339), why)
	if f, err := os.OpenFile(filepath.Join(o.dir, shedLog), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600); err == nil {
		_, _ = f.WriteString(line)
		_ = f.Close()
	}
	return it.Bytes, nil
}

// replaceReport writes data as dir's report.pb by an atomic rename.
func replaceReport(dir string, data []byte) error {
	tmp := filepath.Join(dir, newReportFile)
	if err := writeFile(tmp, data); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dir, reportFile)); err != nil {
		return err
	}
	return durable.SyncDir(dir)
}

func removeFiles(dir string, names []string) {
	for _, n := range names {
		_ = os.Remove(filepath.Join(dir, n))
	}
}

func readReport(dir string) (*xiuhuav1.ViolationReport, error) {
	b, err := os.ReadFile(filepath.Join(dir, reportFile))
	if err != nil {
		return nil, err
	}
	var r xiuhuav1.ViolationReport
	if err := proto.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return &r, nil
}
