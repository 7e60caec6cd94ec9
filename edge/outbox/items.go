package outbox

import (
	"container/list"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/xiuhua/xiuhua/internal/durable"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// Notify returns a channel that receives a value after a Put. It holds at
// most one pending wake-up, so it is meant for one consumer (the sender),
// which then drains the queue with Oldest until it is empty.
func (o *Outbox) Notify() <-chan struct{} { return o.notify }

// Oldest returns the item that has waited longest and is not held.
func (o *Outbox) Oldest() (Item, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for e := o.order.Front(); e != nil; e = e.Next() {
		if it := e.Value.(*Item); !it.held {
			return *it, true
		}
	}
	return Item{}, false
}

// Pending returns the queued items, oldest first.
func (o *Outbox) Pending() []Item {
	o.mu.Lock()
	defer o.mu.Unlock()
	items := make([]Item, 0, o.order.Len())
	for e := o.order.Front(); e != nil; e = e.Next() {
		items = append(items, *e.Value.(*Item))
	}
	return items
}

// Stats returns the number of queued items, their size on disk and how long
// the oldest has waited (0 when the queue is empty).
func (o *Outbox) Stats() (count int, bytes int64, oldestAge time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if e := o.order.Front(); e != nil {
		oldestAge = max(0, time.Since(e.Value.(*Item).Created))
	}
	return o.order.Len(), o.bytes, oldestAge
}

// DeadCount returns the number of items in dead/.
func (o *Outbox) DeadCount() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.dead
}

// Load reads the report of a queued item. An unreadable report gives an
// error wrapping ErrCorrupt.
func (o *Outbox) Load(id string) (*xiuhuav1.ViolationReport, error) {
	dir, err := o.itemDir(id)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(filepath.Join(dir, reportFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("outbox load %s: %w: %w", id, ErrCorrupt, err)
	}
	if err != nil {
		return nil, fmt.Errorf("outbox load %s: %w", id, err)
	}
	var r xiuhuav1.ViolationReport
	if err := proto.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("outbox load %s: %w: %w", id, ErrCorrupt, err)
	}
	if r.GetEventId() != id {
		return nil, fmt.Errorf("outbox load %s: %w: report says event id %q", id, ErrCorrupt, r.GetEventId())
	}
	return &r, nil
}

// OpenEvidence opens an evidence file of a queued item for reading; the
// caller closes it. A missing file gives an error wrapping ErrCorrupt.
func (o *Outbox) OpenEvidence(id, name string) (*os.File, error) {
	if err := ValidateName(name); err != nil || name == reportFile || name == reasonFile {
		return nil, fmt.Errorf("outbox %s: %w: bad evidence name %q", id, ErrCorrupt, name)
	}
	dir, err := o.itemDir(id)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(filepath.Join(dir, name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("outbox %s: %w: %w", id, ErrCorrupt, err)
	}
	return f, err
}

// Ack removes a delivered item. The item leaves queue/ by an atomic rename
// into tmp/, which is synced before its files are deleted.
func (o *Outbox) Ack(id string) error {
	trash, err := o.ack(id)
	if err != nil {
		return err
	}
	if err := os.RemoveAll(trash); err != nil {
		// Open cleans tmp/ anyway.
		o.logger.Warn("outbox could not delete a delivered item", "event_id", id, "err", err)
	}
	return nil
}

func (o *Outbox) ack(id string) (string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return "", fmt.Errorf("outbox ack %s: %w", id, ErrClosed)
	}
	e, ok := o.byID[id]
	if !ok {
		return "", fmt.Errorf("outbox ack %s: %w", id, ErrNotFound)
	}
	it := e.Value.(*Item)
	trash := filepath.Join(o.tmpDir, id+".acked-"+strconv.FormatInt(time.Now().UnixNano(), 36))
	if err := os.Rename(it.Dir, trash); err != nil {
		return "", fmt.Errorf("outbox ack %s: %w", id, err)
	}
	o.remove(e)
	o.metrics.sent.Inc()
	if err := durable.SyncDir(o.queueDir); err != nil {
		// After a crash the item may be back and is sent again; the
		// server stores it once.
		return trash, fmt.Errorf("outbox ack %s: %w", id, err)
	}
	return trash, nil
}

// Reject moves an item the server refused for good to dead/<id>/ (or
// dead/<id>.<n>/ when that exists) with a reason.txt saying why. It stays
// there until someone deletes it or calls Requeue.
func (o *Outbox) Reject(id, reason string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return fmt.Errorf("outbox reject %s: %w", id, ErrClosed)
	}
	e, ok := o.byID[id]
	if !ok {
		return fmt.Errorf("outbox reject %s: %w", id, ErrNotFound)
	}
	it := e.Value.(*Item)
	if err := o.moveToDead(id, it.Dir, reason, it.Attempts); err != nil {
		return fmt.Errorf("outbox reject %s: %w", id, err)
	}
	o.remove(e)
	o.metrics.rejected.Inc()
	o.logger.Warn("outbox rejected a violation", "event_id", id, "reason", reason,
		"dir", filepath.Join(o.deadDir, id))
	return nil
}

// moveToDead writes reason.txt into dir and renames dir into dead/; called
// with mu held or from Open.
func (o *Outbox) moveToDead(id, dir, reason string, attempts int) error {
	text := fmt.Sprintf("event_id: %s\nrejected_at: %s\nfailed_attempts: %d\nreason: %s\n",
		id, time.Now().UTC().Format(time.RFC3339), attempts, strings.TrimSpace(reason))
	if err := writeFile(filepath.Join(dir, reasonFile), []byte(text)); err != nil {
		return err
	}
	if err := durable.SyncDir(dir); err != nil {
		return err
	}
	dst := filepath.Join(o.deadDir, id)
	for n := 1; ; n++ {
		if _, err := os.Lstat(dst); errors.Is(err, fs.ErrNotExist) {
			break
		}
		dst = filepath.Join(o.deadDir, id+"."+strconv.Itoa(n))
	}
	if err := os.Rename(dir, dst); err != nil {
		return err
	}
	o.dead++
	if err := durable.SyncDir(o.deadDir); err != nil {
		return err
	}
	return durable.SyncDir(o.queueDir)
}

// Requeue moves dead/<id>/ back into the queue, for an operator who fixed
// what made the server refuse it. reason.txt is kept as reason.prev.txt.
func (o *Outbox) Requeue(id string) error {
	if err := ValidateName(id); err != nil {
		return fmt.Errorf("outbox requeue: %w", err)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return fmt.Errorf("outbox requeue %s: %w", id, ErrClosed)
	}
	if _, ok := o.byID[id]; ok {
		return fmt.Errorf("outbox requeue %s: %w", id, ErrDuplicate)
	}
	src := filepath.Join(o.deadDir, id)
	if _, err := os.Stat(filepath.Join(src, reportFile)); err != nil {
		return fmt.Errorf("outbox requeue %s: %w", id, err)
	}
	if err := os.Rename(filepath.Join(src, reasonFile), filepath.Join(src, "reason.prev.txt")); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("outbox requeue %s: %w", id, err)
	}
	dst := filepath.Join(o.queueDir, id)
	if err := os.Rename(src, dst); err != nil {
		return fmt.Errorf("outbox requeue %s: %w", id, err)
	}
	o.dead--
	it, err := o.readItem(id)
	if err != nil {
		return fmt.Errorf("outbox requeue %s: %w", id, err)
	}
	o.insert(it)
	select {
	case o.notify <- struct{}{}:
	default:
	}
	if err := durable.SyncDir(o.queueDir); err != nil {
		return fmt.Errorf("outbox requeue %s: %w", id, err)
	}
	return durable.SyncDir(o.deadDir)
}

func (o *Outbox) itemDir(id string) (string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	e, ok := o.byID[id]
	if !ok {
		return "", fmt.Errorf("outbox %s: %w", id, ErrNotFound)
	}
	return e.Value.(*Item).Dir, nil
}

// remove drops e from the index; called with mu held.
func (o *Outbox) remove(e *list.Element) {
	it := o.order.Remove(e).(*Item)
	delete(o.byID, it.ID)
	o.bytes -= it.Bytes
	if o.busy == it.ID {
		o.busy = ""
	}
}
