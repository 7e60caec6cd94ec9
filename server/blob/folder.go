package blob

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/xiuhua/xiuhua/internal/durable"
)

// Folder is the default backend: a blob lives at <dir>/<first two hex
// digits>/<sha256>. Commit syncs the spool file, renames it into place and
// syncs the folder, so a file that can be opened is complete and durable.
// Several processes may share the folder (a network file system under
// several replicas).
type Folder struct {
	dir   string
	spool *Spool
}

// tmpDir holds the spool; it sits in the store so that renames never cross
// file systems.
const tmpDir = "tmp"

// NewFolder opens the store at dir, creating it, and removes partial files
// that crashed processes left in its spool.
func NewFolder(dir string) (*Folder, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	sp, err := OpenSpool(filepath.Join(dir, tmpDir))
	if err != nil {
		return nil, err
	}
	return &Folder{dir: dir, spool: sp}, nil
}

// Dir returns the folder the store lives in.
func (s *Folder) Dir() string { return s.dir }

// Close implements Store.
func (s *Folder) Close() error { return s.spool.Close() }

func (s *Folder) path(sha string) (string, error) {
	if !ValidSHA256(sha) {
		return "", ErrBadSHA256
	}
	return filepath.Join(s.dir, sha[:2], sha), nil
}

// Open implements Store.
func (s *Folder) Open(_ context.Context, sha string) (Object, error) {
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
	st, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("blob: %w", err)
	}
	return &fileObject{File: f, info: Info{SHA256: sha, Size: st.Size(), ModTime: st.ModTime()}}, nil
}

type fileObject struct {
	*os.File
	info Info
}

func (o *fileObject) Info() Info { return o.info }

// Stat implements Store.
func (s *Folder) Stat(_ context.Context, sha string) (Info, error) {
	p, err := s.path(sha)
	if err != nil {
		return Info{}, err
	}
	st, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return Info{}, ErrNotFound
	}
	if err != nil {
		return Info{}, fmt.Errorf("blob: %w", err)
	}
	return Info{SHA256: sha, Size: st.Size(), ModTime: st.ModTime()}, nil
}

// Delete implements Store.
func (s *Folder) Delete(_ context.Context, sha string) error {
	p, err := s.path(sha)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("blob: delete: %w", err)
	}
	return nil
}

// Walk implements Store.
func (s *Folder) Walk(ctx context.Context, fn func(Info) error) error {
	shards, err := os.ReadDir(s.dir)
	if err != nil {
		return fmt.Errorf("blob: walk: %w", err)
	}
	for _, sh := range shards {
		if !sh.IsDir() || len(sh.Name()) != 2 {
			continue
		}
		entries, err := os.ReadDir(filepath.Join(s.dir, sh.Name()))
		if err != nil {
			return fmt.Errorf("blob: walk: %w", err)
		}
		for _, e := range entries {
			if err := ctx.Err(); err != nil {
				return err
			}
			info, err := e.Info()
			if err != nil || !ValidSHA256(e.Name()) {
				continue // removed meanwhile, or not ours
			}
			if err := fn(Info{SHA256: e.Name(), Size: info.Size(), ModTime: info.ModTime()}); err != nil {
				return err
			}
		}
	}
	return nil
}

// Create implements Store.
func (s *Folder) Create(context.Context) (Writer, error) {
	t, err := s.spool.Create()
	if err != nil {
		return nil, err
	}
	return &folderWriter{TempFile: t, s: s}, nil
}

type folderWriter struct {
	*TempFile
	s *Folder
}

// Commit implements Writer.
func (w *folderWriter) Commit(context.Context) (Ref, error) {
	if w.Done() {
		return Ref{}, errors.New("blob: commit after commit or abort")
	}
	ref := Ref{SHA256: w.SHA256(), Size: w.Size()}
	dst, _ := w.s.path(ref.SHA256)
	shard := filepath.Dir(dst)
	if err := w.s.makeShard(shard); err != nil {
		w.Abort()
		return Ref{}, err
	}
	if _, err := os.Stat(dst); err == nil {
		// Already stored: renew its time for the orphan sweeper's grace,
		// and sync the shard folder anyway: the writer that put it there
		// may not have synced it yet, and our caller is about to
		// acknowledge durability.
		w.Abort()
		now := time.Now()
		if err := os.Chtimes(dst, now, now); err != nil {
			return Ref{}, fmt.Errorf("blob: %w", err)
		}
		if err := durable.SyncDir(shard); err != nil {
			return Ref{}, err
		}
		return ref, nil
	}
	w.MarkDone()
	f := w.File()
	tmp := f.Name()
	fail := func(err error) (Ref, error) {
		_ = f.Close()
		_ = os.Remove(tmp)
		return Ref{}, fmt.Errorf("blob: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
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
func (s *Folder) makeShard(shard string) error {
	if _, err := os.Stat(shard); err == nil {
		return nil
	}
	if err := os.Mkdir(shard, 0o750); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("blob: %w", err)
	}
	return durable.SyncDir(s.dir)
}
