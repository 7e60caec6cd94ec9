// Package blob is a content-addressed file store for evidence. A file lives
// at <dir>/<first two hex digits>/<sha256>; it is written to a temporary file
// first, synced, then renamed into place, and the folder is synced, so a file
// that can be opened is complete and durable. Storing the same content twice
// stores it once.
package blob

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/xiuhua/xiuhua/internal/durable"
)

var (
	// ErrBadSHA256 is returned for a name that is not 64 lowercase hex
	// digits; it keeps request paths from reaching outside the folder.
	ErrBadSHA256 = errors.New("blob: not a lowercase hex sha256")
	// ErrNotFound is returned by Open for content that is not stored.
	ErrNotFound = errors.New("blob: not found")
)

// Ref names stored content.
type Ref struct {
	SHA256 string // lowercase hex
	Size   int64
}

// Store is a folder of blobs. It is safe for concurrent use, also by several
// processes sharing the folder.
type Store struct {
	dir string
}

// tmpDir holds files being written; it sits in the store so that renames
// never cross file systems.
const tmpDir = "tmp"

// staleTemp is how old a leftover temporary file must be before New removes
// it: old enough that no live writer still owns it.
const staleTemp = time.Hour

// New opens the store at dir, creating it, and removes temporary files left
// behind by a crash.
func New(dir string) (*Store, error) {
	if err := os.MkdirAll(filepath.Join(dir, tmpDir), 0o750); err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	s := &Store{dir: dir}
	s.removeStaleTemps()
	return s, nil
}

// Dir returns the folder the store lives in.
func (s *Store) Dir() string { return s.dir }

func (s *Store) removeStaleTemps() {
	entries, err := os.ReadDir(filepath.Join(s.dir, tmpDir))
	if err != nil {
		return
	}
	for _, e := range entries {
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > staleTemp {
			_ = os.Remove(filepath.Join(s.dir, tmpDir, e.Name()))
		}
	}
}

// ValidSHA256 reports whether s is 64 lowercase hex digits.
func ValidSHA256(s string) bool {
	if len(s) != sha256.Size*2 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func (s *Store) path(sha string) (string, error) {
	if !ValidSHA256(sha) {
		return "", ErrBadSHA256
	}
	return filepath.Join(s.dir, sha[:2], sha), nil
}

// Put stores everything r yields and returns its address.
func (s *Store) Put(r io.Reader) (Ref, error) {
	w, err := s.Create()
	if err != nil {
		return Ref{}, err
	}
	if _, err := io.Copy(w, r); err != nil {
		w.Abort()
		return Ref{}, fmt.Errorf("blob: write: %w", err)
	}
	return w.Commit()
}

// Open opens stored content for reading; the caller closes it.
func (s *Store) Open(sha string) (*os.File, error) {
	p, err := s.path(sha)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	return f, nil
}

// Has reports whether content is stored.
func (s *Store) Has(sha string) (bool, error) {
	p, err := s.path(sha)
	if err != nil {
		return false, err
	}
	_, err = os.Stat(p)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	default:
		return false, fmt.Errorf("blob: %w", err)
	}
}

// Create starts writing a blob whose address is known only at the end. The
// caller must end with exactly one Commit or Abort.
func (s *Store) Create() (*Writer, error) {
	f, err := os.CreateTemp(filepath.Join(s.dir, tmpDir), "put-*")
	if err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	return &Writer{s: s, f: f, h: sha256.New()}, nil
}

// Writer receives one blob. Not safe for concurrent use.
type Writer struct {
	s    *Store
	f    *os.File
	h    hash.Hash
	n    int64
	done bool
}

// Write appends p.
func (w *Writer) Write(p []byte) (int, error) {
	if w.done {
		return 0, errors.New("blob: write after commit or abort")
	}
	n, err := w.f.Write(p)
	w.h.Write(p[:n])
	w.n += int64(n)
	return n, err
}

// Size is how many bytes have been written.
func (w *Writer) Size() int64 { return w.n }

// SHA256 is the lowercase hex sha256 of what has been written so far.
func (w *Writer) SHA256() string { return hex.EncodeToString(w.h.Sum(nil)) }

// Abort discards what was written. It is safe to call after Commit, when it
// does nothing, so callers may defer it.
func (w *Writer) Abort() {
	if w.done {
		return
	}
	w.done = true
	name := w.f.Name()
	_ = w.f.Close()
	_ = os.Remove(name)
}

// Commit makes the content durable under its sha256 and returns the address.
func (w *Writer) Commit() (Ref, error) {
	if w.done {
		return Ref{}, errors.New("blob: commit after commit or abort")
	}
	ref := Ref{SHA256: w.SHA256(), Size: w.n}
	dst, _ := w.s.path(ref.SHA256)
	shard := filepath.Dir(dst)
	if err := w.s.makeShard(shard); err != nil {
		w.Abort()
		return Ref{}, err
	}
	if _, err := os.Stat(dst); err == nil {
		// Already stored. Sync the shard folder anyway: the writer that put
		// it there may not have synced it yet, and our caller is about to
		// acknowledge durability.
		w.Abort()
		if err := durable.SyncDir(shard); err != nil {
			return Ref{}, err
		}
		return ref, nil
	}
	w.done = true
	tmp := w.f.Name()
	fail := func(err error) (Ref, error) {
		_ = w.f.Close()
		_ = os.Remove(tmp)
		return Ref{}, fmt.Errorf("blob: %w", err)
	}
	if err := w.f.Sync(); err != nil {
		return fail(err)
	}
	if err := w.f.Close(); err != nil {
		return fail(err)
	}
	if err := os.Chmod(tmp, 0o440); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		return fail(err)
	}
	if err := durable.SyncDir(shard); err != nil {
		return Ref{}, err
	}
	return ref, nil
}

// makeShard creates a shard folder, syncing the store folder so that the new
// entry survives a crash.
func (s *Store) makeShard(shard string) error {
	if _, err := os.Stat(shard); err == nil {
		return nil
	}
	if err := os.Mkdir(shard, 0o750); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("blob: %w", err)
	}
	return durable.SyncDir(s.dir)
}
