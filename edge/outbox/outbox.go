// Package outbox is the edge box's durable queue of violations: every
// violation is written to disk before it is sent and removed only once the
// server has acknowledged it, so a server that is down for a day loses
// nothing.
//
// On disk, under the outbox folder:
//
//	lock                   held (flock) by the one process using the outbox
//	tmp/<id>.<random>/     an item being written; whatever is here at Open is removed
//	queue/<event_id>/      a complete item: report.pb and one file per evidence file
//	dead/<event_id>/       an item the server refused for good, with reason.txt
//
// An item appears in queue/ by renaming a fully written and synced folder
// from tmp/, and leaves it by another rename, so a crash never leaves half an
// item visible. Nothing is lost silently: an item leaves queue/ only by Ack
// (the server stored it) or by Reject (it moves to dead/ saying why).
//
// One producer side (Put, from the pipeline) and one consumer side (the
// uplink sender: Oldest, Load, OpenEvidence, Ack, Reject, Failed) may run
// concurrently; every method is safe for concurrent use.
package outbox

import (
	"cmp"
	"container/list"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/xiuhua/xiuhua/internal/durable"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

const (
	reportFile = "report.pb"
	reasonFile = "reason.txt"
	lockFile   = "lock"
)

var (
	// ErrDuplicate: the event id is already queued, or was rejected before
	// (use Requeue to send a rejected item again).
	ErrDuplicate = errors.New("event id already in the outbox")
	// ErrNotFound: no queued item has this id.
	ErrNotFound = errors.New("no such item in the outbox")
	// ErrCorrupt: a queued item cannot be read back as written; sending it
	// again will not help. The sender rejects such items.
	ErrCorrupt = errors.New("outbox item is corrupt")
	// ErrClosed: the outbox was closed.
	ErrClosed = errors.New("outbox closed")
)

// File is one evidence file handed to Put.
type File struct {
	// Name is unique within the report and a safe file name (see
	// ValidateName); "report.pb" and "reason.txt" are reserved.
	Name        string
	Kind        xiuhuav1.EvidenceKind
	ContentType string
	Data        []byte
}

// Item is a queued violation.
type Item struct {
	ID string
	// Dir is the item's folder: report.pb and the evidence files.
	Dir string
	// Created is when the item was queued.
	Created time.Time
	// Bytes is the size of the item on disk.
	Bytes int64
	// Attempts and LastError count the failed sends reported with Failed
	// since Open.
	Attempts  int
	LastError string

	held       bool   // waits for Attach or Release (PutHeld)
	rank       uint64 // 0, or the order it fell behind in (see Next)
	clip, pics int64  // bytes of clips and of other evidence files
}

// Held reports whether the item waits for more evidence (PutHeld).
func (it Item) Held() bool { return it.held }

// tally sets Bytes (evidence only), clip and pics from the evidence list.
func (it *Item) tally(r *xiuhuav1.ViolationReport) {
	it.Bytes, it.clip, it.pics = 0, 0, 0
	for _, f := range r.GetEvidence() {
		if isClip(f) {
			it.clip += f.GetSize()
		} else {
			it.pics += f.GetSize()
		}
	}
	it.Bytes = it.clip + it.pics
}

// Signer signs a report once Put has filled in its evidence list;
// (*identity.Identity).Sign is one.
type Signer func(*xiuhuav1.ViolationReport) error

// Option configures Open.
type Option func(*Outbox)

// WithSigner makes Put sign every report after filling in its evidence list,
// so that the signature covers the evidence hashes.
func WithSigner(s Signer) Option { return func(o *Outbox) { o.sign = s } }

// Outbox is the on-disk queue. Create it with Open and release it with Close.
type Outbox struct {
	dir, tmpDir, queueDir, deadDir string
	logger                         *slog.Logger
	sign                           Signer
	lock                           *os.File
	notify                         chan struct{}
	metrics                        *metrics

	quota Quota

	mu     sync.Mutex
	order  *list.List // of *Item, oldest first
	byID   map[string]*list.Element
	bytes  int64
	dead   int
	closed bool
	// busy is the item Next handed to the sender, which shedding leaves
	// alone; seq orders the items that fell behind.
	busy      string
	seq       uint64
	diskErr   string
	diskSince time.Time
}

// Open opens the outbox in dir, creating it when needed (mode 0700: evidence
// shows people). It takes an exclusive lock on the folder, removes what a
// crash left in tmp/ and loads the queue. logger may be nil; the caller adds
// the component attribute. reg may be nil; the metrics are unregistered again
// by Close.
func Open(dir string, logger *slog.Logger, reg prometheus.Registerer, opts ...Option) (*Outbox, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	o := &Outbox{
		dir:      dir,
		tmpDir:   filepath.Join(dir, "tmp"),
		queueDir: filepath.Join(dir, "queue"),
		deadDir:  filepath.Join(dir, "dead"),
		logger:   logger,
		notify:   make(chan struct{}, 1),
		order:    list.New(),
		byID:     map[string]*list.Element{},
	}
	for _, opt := range opts {
		opt(o)
	}
	for _, d := range []string{dir, o.tmpDir, o.queueDir, o.deadDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("outbox: %w", err)
		}
	}
	lock, err := lockDir(filepath.Join(dir, lockFile))
	if err != nil {
		return nil, fmt.Errorf("outbox %s: %w", dir, err)
	}
	o.lock = lock
	if err := o.load(); err != nil {
		lock.Close()
		return nil, fmt.Errorf("outbox %s: %w", dir, err)
	}
	o.metrics = newMetrics(o, reg)
	if err := o.metrics.register(); err != nil {
		lock.Close()
		return nil, fmt.Errorf("outbox metrics: %w", err)
	}
	count, bytes, age := o.Stats()
	logger.Info("outbox opened", "dir", dir, "items", count, "bytes", bytes,
		"oldest_age", age.Round(time.Second), "dead", o.dead)
	return o, nil
}

// Close releases the folder lock and the metrics. Later calls fail with
// ErrClosed. Close does not wait for calls in progress; stop the producer
// and the sender first.
func (o *Outbox) Close() error {
	o.mu.Lock()
	if o.closed {
		o.mu.Unlock()
		return nil
	}
	o.closed = true
	o.mu.Unlock()
	// Outside mu: a scrape in progress calls Stats.
	o.metrics.unregister()
	return o.lock.Close()
}

// load cleans tmp/, then indexes queue/ and counts dead/.
func (o *Outbox) load() error {
	left, err := os.ReadDir(o.tmpDir)
	if err != nil {
		return err
	}
	for _, e := range left {
		if err := os.RemoveAll(filepath.Join(o.tmpDir, e.Name())); err != nil {
			return fmt.Errorf("clean tmp: %w", err)
		}
	}
	if len(left) > 0 {
		if err := durable.SyncDir(o.tmpDir); err != nil {
			return err
		}
		o.logger.Info("outbox removed unfinished items", "count", len(left))
	}

	entries, err := os.ReadDir(o.queueDir)
	if err != nil {
		return err
	}
	var items []*Item
	for _, e := range entries {
		id := e.Name()
		if !e.IsDir() || ValidateName(id) != nil {
			o.logger.Warn("outbox ignores a stranger in its queue", "name", id)
			continue
		}
		it, err := o.readItem(id)
		if errors.Is(err, ErrCorrupt) {
			// Never silently dropped: set aside with the reason.
			o.logger.Error("outbox sets aside a broken item", "event_id", id, "err", err)
			if err := o.moveToDead(id, filepath.Join(o.queueDir, id), err.Error(), 0); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		items = append(items, it)
	}
	slices.SortFunc(items, func(a, b *Item) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	for _, it := range items {
		o.byID[it.ID] = o.order.PushBack(it)
		o.bytes += it.Bytes
	}

	dead, err := os.ReadDir(o.deadDir)
	if err != nil {
		return err
	}
	o.dead = len(dead)
	return nil
}

func (o *Outbox) readItem(id string) (*Item, error) {
	dir := filepath.Join(o.queueDir, id)
	rep, err := os.Stat(filepath.Join(dir, reportFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s has no %s", ErrCorrupt, id, reportFile)
	}
	if err != nil {
		return nil, err
	}
	r, err := readReport(dir)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", id, err)
	}
	// What a crash left of a report being replaced, or of a hold.
	for _, name := range []string{newReportFile, heldFile} {
		if err := os.Remove(filepath.Join(dir, name)); err == nil && name == heldFile {
			o.logger.Warn("outbox releases a violation that waited for more evidence when the box stopped", "event_id", id)
		}
	}
	it := &Item{ID: id, Dir: dir, Created: rep.ModTime()}
	it.tally(r)
	it.Bytes += rep.Size()
	return it, nil
}
