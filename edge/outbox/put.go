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
// When Put returns nil, the item survives a crash. Put fails with
// ErrDuplicate when the event id is queued already or was rejected before.
func (o *Outbox) Put(report *xiuhuav1.ViolationReport, files []File) error {
	id := report.GetEventId()
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

	report.Evidence = make([]*xiuhuav1.EvidenceFile, len(files))
	size := int64(0)
	for i, f := range files {
		sum := sha256.Sum256(f.Data)
		report.Evidence[i] = &xiuhuav1.EvidenceFile{
			Name:        f.Name,
			Kind:        f.Kind,
			ContentType: f.ContentType,
			Size:        int64(len(f.Data)),
			Sha256:      hex.EncodeToString(sum[:]),
		}
		size += int64(len(f.Data))
	}
	if o.sign != nil {
		if err := o.sign(report); err != nil {
			return fmt.Errorf("outbox put %s: sign: %w", id, err)
		}
	}
	data, err := proto.Marshal(report)
	if err != nil {
		return fmt.Errorf("outbox put %s: encode: %w", id, err)
	}
	size += int64(len(data))

	tmp, err := os.MkdirTemp(o.tmpDir, id+".")
	if err != nil {
		return fmt.Errorf("outbox put %s: %w", id, err)
	}
	renamed := false
	defer func() {
		if !renamed {
			os.RemoveAll(tmp)
		}
	}()
	for _, f := range files {
		if err := writeFileSync(filepath.Join(tmp, f.Name), f.Data); err != nil {
			return fmt.Errorf("outbox put %s: %w", id, err)
		}
	}
	// The report goes last: an item with report.pb is complete.
	if err := writeFileSync(filepath.Join(tmp, reportFile), data); err != nil {
		return fmt.Errorf("outbox put %s: %w", id, err)
	}
	if err := durable.SyncDir(tmp); err != nil {
		return fmt.Errorf("outbox put %s: %w", id, err)
	}
	fi, err := os.Stat(filepath.Join(tmp, reportFile))
	if err != nil {
		return fmt.Errorf("outbox put %s: %w", id, err)
	}

	dst := filepath.Join(o.queueDir, id)
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return fmt.Errorf("outbox put %s: %w", id, ErrClosed)
	}
	if _, ok := o.byID[id]; ok {
		return fmt.Errorf("outbox put %s: %w", id, ErrDuplicate)
	}
	if err := os.Rename(tmp, dst); err != nil {
		if errors.Is(err, fs.ErrExist) {
			err = ErrDuplicate
		}
		return fmt.Errorf("outbox put %s: %w", id, err)
	}
	renamed = true
	o.insert(&Item{ID: id, Dir: dst, Created: fi.ModTime(), Bytes: size})
	o.metrics.put.Inc()
	select {
	case o.notify <- struct{}{}:
	default:
	}
	if err := durable.SyncDir(o.queueDir); err != nil {
		// The item is queued and will be sent; only its survival of a
		// crash in the next moments is in doubt.
		return fmt.Errorf("outbox put %s: queued, but: %w", id, err)
	}
	return nil
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
