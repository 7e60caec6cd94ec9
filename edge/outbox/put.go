package outbox

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"google.golang.org/protobuf/proto"

	"github.com/xiuhua/xiuhua/internal/durable"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// MaxNameLen is the longest event id or evidence file name accepted.
const MaxNameLen = 128

// ValidateName checks that s can be an event id or an evidence file name:
// 1 to MaxNameLen ASCII letters, digits, '.', '_' or '-', not starting with a
// dot. Such a name is one safe path element on every file system.
func ValidateName(s string) error {
	if s == "" {
		return errors.New("empty name")
	}
	if len(s) > MaxNameLen {
		return fmt.Errorf("name %.20q... is %d bytes long, at most %d allowed", s, len(s), MaxNameLen)
	}
	if s[0] == '.' {
		return fmt.Errorf("name %q starts with a dot", s)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-' {
			continue
		}
		return fmt.Errorf("name %q: character %q not allowed: use letters, digits, '.', '_' and '-'", s, c)
	}
	return nil
}

// Put queues a violation with its evidence files. It sets report.Evidence
// (name, kind, content type, size, hex sha256 of every file, in order),
// then signs the report with the signer given to Open, then writes and syncs
// everything before making the item visible. report is changed in place.
//
// When the disk is full, Put makes room rather than lose the new violation:
// older clips and pictures go first, then the new item's own clip and
// pictures, and older reports only to store the new report (see write).
// After Put the quota is enforced.
//
// When Put returns nil, the item survives a crash. Put fails with
// ErrDuplicate when the event id is queued already or was rejected before.
func (o *Outbox) Put(report *xiuhuav1.ViolationReport, files []File) error {
	return o.put(report, files, false)
}

func (o *Outbox) put(report *xiuhuav1.ViolationReport, files []File, held bool) error {
	id := report.GetEventId()
	if err := o.checkNew(id, files); err != nil {
		return err
	}
	tmp, it, err := o.write(report, files, held)
	if err != nil {
		return fmt.Errorf("outbox put %s: %w", id, err)
	}
	if err := o.commit(tmp, it); err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("outbox put %s: %w", id, err)
	}
	o.metrics.put.Inc()
	o.wake()
	o.mu.Lock()
	o.enforce(id, "quota")
	o.mu.Unlock()
	if err := durable.SyncDir(o.queueDir); err != nil {
		// The item is queued and will be sent; only its survival of a
		// crash in the next moments is in doubt.
		return fmt.Errorf("outbox put %s: queued, but: %w", id, err)
	}
	return nil
}

// checkNew refuses a bad or already known event id and bad files.
func (o *Outbox) checkNew(id string, files []File) error {
	if err := ValidateName(id); err != nil {
		return fmt.Errorf("outbox put: event id: %w", err)
	}
	if err := validateFiles(files); err != nil {
		return fmt.Errorf("outbox put %s: %w", id, err)
	}
	if o.has(id) {
		return fmt.Errorf("outbox put %s: %w", id, ErrDuplicate)
	}
	if _, err := os.Lstat(filepath.Join(o.deadDir, id)); err == nil {
		return fmt.Errorf("outbox put %s: %w: rejected before, see %s", id, ErrDuplicate, filepath.Join(o.deadDir, id))
	}
	return nil
}

// seal fills in report.Evidence, signs and encodes the report, and returns
// the item it will be (without Dir and Created).
func (o *Outbox) seal(report *xiuhuav1.ViolationReport, files []File) ([]byte, *Item, error) {
	report.Evidence = make([]*xiuhuav1.EvidenceFile, len(files))
	for i, f := range files {
		sum := sha256.Sum256(f.Data)
		report.Evidence[i] = &xiuhuav1.EvidenceFile{
			Name:        f.Name,
			Kind:        f.Kind,
			ContentType: f.ContentType,
			Size:        int64(len(f.Data)),
			Sha256:      hex.EncodeToString(sum[:]),
		}
	}
	data, err := o.encode(report)
	if err != nil {
		return nil, nil, err
	}
	it := &Item{ID: report.GetEventId()}
	it.tally(report)
	it.Bytes += int64(len(data))
	return data, it, nil
}

// encode signs report (when there is a signer) and marshals it.
func (o *Outbox) encode(report *xiuhuav1.ViolationReport) ([]byte, error) {
	if o.sign != nil {
		if err := o.sign(report); err != nil {
			return nil, fmt.Errorf("sign: %w", err)
		}
	}
	data, err := proto.Marshal(report)
	if err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	return data, nil
}

// commit renames the written folder tmp into the queue and indexes it.
func (o *Outbox) commit(tmp string, it *Item) error {
	fi, err := os.Stat(filepath.Join(tmp, reportFile))
	if err != nil {
		return err
	}
	it.Created = fi.ModTime()
	it.Dir = filepath.Join(o.queueDir, it.ID)
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return ErrClosed
	}
	if _, ok := o.byID[it.ID]; ok {
		return ErrDuplicate
	}
	if err := os.Rename(tmp, it.Dir); err != nil {
		if errors.Is(err, fs.ErrExist) {
			err = ErrDuplicate
		}
		return err
	}
	o.insert(it)
	return nil
}

// wake tells the sender that an item may be ready.
func (o *Outbox) wake() {
	select {
	case o.notify <- struct{}{}:
	default:
	}
}

func validateFiles(files []File) error {
	seen := make(map[string]bool, len(files))
	for i, f := range files {
		if err := ValidateName(f.Name); err != nil {
			return fmt.Errorf("evidence file %d: %w", i, err)
		}
		if f.Name == reportFile || f.Name == reasonFile {
			return fmt.Errorf("evidence file %d: name %q is reserved", i, f.Name)
		}
		if seen[f.Name] {
			return fmt.Errorf("evidence file %d: name %q used twice", i, f.Name)
		}
		seen[f.Name] = true
		if len(f.Data) == 0 {
			return fmt.Errorf("evidence file %q is empty", f.Name)
		}
	}
	return nil
}

// insert adds it in Created order; called with mu held. New items are the
// newest, so the walk from the back stops at once.
func (o *Outbox) insert(it *Item) {
	e := o.order.Back()
	for e != nil && e.Value.(*Item).Created.After(it.Created) {
		e = e.Prev()
	}
	if e == nil {
		o.byID[it.ID] = o.order.PushFront(it)
	} else {
		o.byID[it.ID] = o.order.InsertAfter(it, e)
	}
	o.bytes += it.Bytes
}

func (o *Outbox) has(id string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	_, ok := o.byID[id]
	return ok
}
