// Package blob is the content-addressed store for evidence, re-check
// pictures and handler photos. A blob is named by the sha256 of its bytes;
// storing the same content twice stores it once, and content never changes
// under its name.
//
// Store has two backends: Folder (a local or shared folder, the default) and
// s3blob (S3-compatible object storage, for several server replicas). Both
// receive a blob into a spool file first (its name is known only at the
// end), and make it durable in Commit: whoever acknowledges a report calls
// Commit first.
package blob

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"time"
)

var (
	// ErrBadSHA256 is returned for a name that is not 64 lowercase hex
	// digits; it keeps request paths from reaching outside the store.
	ErrBadSHA256 = errors.New("blob: not a lowercase hex sha256")
	// ErrNotFound is returned for content that is not stored.
	ErrNotFound = errors.New("blob: not found")
	// ErrCorrupt is returned by a Checked store's Open for content whose
	// sha256 no longer matches its name.
	ErrCorrupt = errors.New("blob: content does not match its sha256")
)

// Ref names stored content.
type Ref struct {
	SHA256 string // lowercase hex
	Size   int64
}

// Info describes a stored blob. ModTime is when it was last committed:
// Commit of content already stored renews it, so that a sweeper's grace age
// protects a blob that a report in flight is about to refer to again.
type Info struct {
	SHA256  string
	Size    int64
	ModTime time.Time
}

// Store is a content-addressed blob store, safe for concurrent use, also by
// several processes (server replicas) sharing it.
type Store interface {
	// Create starts a blob whose address is known only at the end. The
	// caller ends with exactly one Commit or Abort.
	Create(ctx context.Context) (Writer, error)
	// Open opens stored content; the caller closes it. ErrNotFound when
	// absent.
	Open(ctx context.Context, sha string) (Object, error)
	// Stat describes stored content, or returns ErrNotFound.
	Stat(ctx context.Context, sha string) (Info, error)
	// Delete removes content; removing absent content is not an error.
	Delete(ctx context.Context, sha string) error
	// Walk calls fn for every stored blob, in no particular order, until
	// fn returns an error, which Walk then returns.
	Walk(ctx context.Context, fn func(Info) error) error
	// Close releases the store's spool; no call may follow.
	Close() error
}

// Writer receives one blob. Not safe for concurrent use.
type Writer interface {
	io.Writer
	// Size is how many bytes have been written.
	Size() int64
	// SHA256 is the lowercase hex sha256 of what has been written.
	SHA256() string
	// Commit makes the content durable under its sha256 and returns the
	// address; when it returns nil, a crash of this process or machine no
	// longer loses it.
	Commit(ctx context.Context) (Ref, error)
	// Abort discards what was written. After Commit it does nothing, so
	// callers may defer it.
	Abort()
}

// Object is stored content being read.
type Object interface {
	io.ReadSeekCloser
	Info() Info
}

// Presigner is implemented by stores that can hand a browser a
// short-lived URL to fetch content directly (s3blob).
type Presigner interface {
	PresignGet(ctx context.Context, sha string, ttl time.Duration, contentType, disposition string) (string, error)
}

// Put stores everything r yields in s and returns its address.
func Put(ctx context.Context, s Store, r io.Reader) (Ref, error) {
	w, err := s.Create(ctx)
	if err != nil {
		return Ref{}, err
	}
	defer w.Abort()
	if _, err := io.Copy(w, r); err != nil {
		return Ref{}, fmt.Errorf("blob: write: %w", err)
	}
	return w.Commit(ctx)
}

// Has reports whether s holds content.
func Has(ctx context.Context, s Store, sha string) (bool, error) {
	_, err := s.Stat(ctx, sha)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, ErrNotFound):
		return false, nil
	default:
		return false, err
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
