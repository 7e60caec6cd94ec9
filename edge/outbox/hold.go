package outbox

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// ErrNotHeld: Attach or Release on an item that is not waiting for
// evidence.
var ErrNotHeld = errors.New("outbox item is not held")

// PutHeld is Put for a violation whose evidence is not complete yet (a clip
// whose post-roll has not happened): the item is on disk at once, so a crash
// meanwhile does not lose it, but it is not sent until Attach or Release.
// An item still held when the outbox is opened again is released: the
// evidence it waited for went with the process.
func (o *Outbox) PutHeld(report *xiuhuav1.ViolationReport, files []File) error {
	return o.put(report, files, true)
}

// Attach adds f to held item id, signs its report again and releases it
// for sending. On a full disk it sheds older evidence to make room; when
// there still is none, the item is released without f and the error says
// so.
func (o *Outbox) Attach(id string, f File) error {
	if err := validateFiles([]File{f}); err != nil {
		return fmt.Errorf("outbox attach %s: %w", id, err)
	}
	path := ""
	err := o.withHeld(id, func(it *Item) error {
		path = filepath.Join(it.Dir, f.Name)
		return nil
	})
	if err != nil {
		return fmt.Errorf("outbox attach %s: %w", id, err)
	}
	// The file is written outside mu (a clip is megabytes): the sender
	// does not touch a held item, and nobody else writes into it.
	err = writeFileSync(path, f.Data)
	if isNoSpace(err) {
		o.setDiskFull(err)
		os.Remove(path)
		if o.makeRoom(diskSize(int64(len(f.Data)))+blockSize, id, false) > 0 {
			err = writeFileSync(path, f.Data)
		}
	}
	if err != nil {
		os.Remove(path)
		if rerr := o.Release(id); rerr != nil {
			return fmt.Errorf("outbox attach %s: %w (and release: %w)", id, err, rerr)
		}
		return fmt.Errorf("outbox attach %s: released without %s: %w", id, f.Name, err)
	}
	err = o.withHeld(id, func(it *Item) error {
		rep, err := readReport(it.Dir)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(f.Data)
		rep.Evidence = append(rep.Evidence, &xiuhuav1.EvidenceFile{Name: f.Name, Kind: f.Kind, ContentType: f.ContentType,
			Size: int64(len(f.Data)), Sha256: hex.EncodeToString(sum[:])})
		data, err := o.encode(rep)
		if err != nil {
			return err
		}
		if err := replaceReport(it.Dir, data); err != nil {
			return err
		}
		if _, err := o.retally(it, rep); err != nil {
			return err
		}
		return o.release(it)
	})
	if err != nil {
		os.Remove(path)
		if rerr := o.Release(id); rerr != nil && !errors.Is(rerr, ErrNotHeld) {
			return fmt.Errorf("outbox attach %s: %w (and release: %w)", id, err, rerr)
		}
		return fmt.Errorf("outbox attach %s: released without %s: %w", id, f.Name, err)
	}
	return nil
}

// Release lets held item id be sent as it is, for evidence that will not
// come (the clip could not be cut).
func (o *Outbox) Release(id string) error {
	if err := o.withHeld(id, o.release); err != nil {
		return fmt.Errorf("outbox release %s: %w", id, err)
	}
	return nil
}

// withHeld runs fn on held item id with mu held.
func (o *Outbox) withHeld(id string, fn func(*Item) error) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return ErrClosed
	}
	e, ok := o.byID[id]
	if !ok {
		return ErrNotFound
	}
	it := e.Value.(*Item)
	if !it.held {
		return ErrNotHeld
	}
	return fn(it)
}

// release removes the mark and wakes the sender. Called with mu held.
func (o *Outbox) release(it *Item) error {
	if err := os.Remove(filepath.Join(it.Dir, heldFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	it.held = false
	o.wake()
	return nil
}
