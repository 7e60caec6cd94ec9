package blob

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// Spool is a process's folder of blobs being received. Each process works in
// its own sub-folder and holds an exclusive lock on it while it lives; the
// kernel drops the lock when the process dies, even by SIGKILL. OpenSpool
// removes every sub-folder whose lock it can take, so partial files of a
// killed server go at its next start, while those of a live replica sharing
// the folder stay.
type Spool struct {
	dir  string // this process's sub-folder
	lock *os.File
}

// legacyStale is how old a loose temporary file, left by a server from
// before per-process spools, must be before OpenSpool removes it.
const legacyStale = time.Hour

// OpenSpool opens a spool under root, creating it, and removes what dead
// processes left there.
func OpenSpool(root string) (*Spool, error) {
	if err := os.MkdirAll(root, 0o750); err != nil {
		return nil, fmt.Errorf("blob: spool: %w", err)
	}
	removeDead(root)
	dir, err := os.MkdirTemp(root, "p-")
	if err != nil {
		return nil, fmt.Errorf("blob: spool: %w", err)
	}
	lock, err := os.Create(filepath.Join(dir, "lock"))
	if err == nil {
		err = syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	}
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("blob: spool lock: %w", err)
	}
	return &Spool{dir: dir, lock: lock}, nil
}

// removeDead removes the sub-folders of processes that are gone and loose
// files from older servers. Errors are ignored: what stays is retried at
// the next start.
func removeDead(root string) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return
	}
	for _, e := range entries {
		p := filepath.Join(root, e.Name())
		if !e.IsDir() {
			if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > legacyStale {
				_ = os.Remove(p)
			}
			continue
		}
		f, err := os.Open(filepath.Join(p, "lock"))
		if errors.Is(err, os.ErrNotExist) {
			// Between MkdirTemp and Create of a live process, or a crash
			// right there: the folder's age tells which.
			if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > time.Minute {
				_ = os.RemoveAll(p)
			}
			continue
		}
		if err != nil {
			continue
		}
		if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil {
			_ = os.RemoveAll(p)
		}
		_ = f.Close() // drops our lock, if taken
	}
}

// Dir is this process's spool folder.
func (s *Spool) Dir() string { return s.dir }

// Close removes this process's spool folder and releases its lock.
func (s *Spool) Close() error {
	err := os.RemoveAll(s.dir)
	_ = s.lock.Close()
	return err
}

// Create starts a spool file.
func (s *Spool) Create() (*TempFile, error) {
	f, err := os.CreateTemp(s.dir, "put-*")
	if err != nil {
		return nil, fmt.Errorf("blob: spool: %w", err)
	}
	return &TempFile{f: f, h: sha256.New()}, nil
}

// TempFile is a spool file that hashes what is written to it. The backends'
// Writers build on it. Not safe for concurrent use.
type TempFile struct {
	f    *os.File
	h    hash.Hash
	n    int64
	done bool
}

// Write appends p.
func (t *TempFile) Write(p []byte) (int, error) {
	if t.done {
		return 0, errors.New("blob: write after commit or abort")
	}
	n, err := t.f.Write(p)
	t.h.Write(p[:n])
	t.n += int64(n)
	return n, err
}

// Size is how many bytes have been written.
func (t *TempFile) Size() int64 { return t.n }

// SHA256 is the lowercase hex sha256 of what has been written so far.
func (t *TempFile) SHA256() string { return hex.EncodeToString(t.h.Sum(nil)) }

// File is the open spool file; Done marks it taken over by a commit.
func (t *TempFile) File() *os.File { return t.f }

// Done reports whether Commit or Abort has ended the file.
func (t *TempFile) Done() bool { return t.done }

// MarkDone ends the file without removing it, for a Commit that renamed it.
func (t *TempFile) MarkDone() { t.done = true }

// Abort closes and removes the file. It does nothing once done.
func (t *TempFile) Abort() {
	if t.done {
		return
	}
	t.done = true
	_ = t.f.Close()
	_ = os.Remove(t.f.Name())
}
