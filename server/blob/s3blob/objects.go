package s3blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/xiuhua/xiuhua/server/blob"
)

// Create implements blob.Store.
func (s *Store) Create(context.Context) (blob.Writer, error) {
	t, err := s.spool.Create()
	if err != nil {
		return nil, err
	}
	return &writer{TempFile: t, s: s}, nil
}

type writer struct {
	*blob.TempFile
	s *Store
}

// Commit uploads the spool file under its sha256 and removes it.
func (w *writer) Commit(ctx context.Context) (blob.Ref, error) {
	if w.Done() {
		return blob.Ref{}, errors.New("blob: commit after commit or abort")
	}
	defer w.Abort()
	ref := blob.Ref{SHA256: w.SHA256(), Size: w.Size()}
	key, _ := w.s.key(ref.SHA256)
	f := w.File()
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return blob.Ref{}, fmt.Errorf("blob: %w", err)
	}
	_, err := w.s.c.PutObject(ctx, w.s.bucket, key, f, ref.Size, minio.PutObjectOptions{
		ContentType: "application/octet-stream",
		PartSize:    PartSize,
		NumThreads:  2,
	})
	if err != nil {
		return blob.Ref{}, fmt.Errorf("blob: upload %s: %w", ref.SHA256, err)
	}
	return ref, nil
}

// Open implements blob.Store. It asks S3 for the object's size at once, so
// that a missing blob is ErrNotFound here and not at the first Read.
func (s *Store) Open(ctx context.Context, sha string) (blob.Object, error) {
	key, err := s.key(sha)
	if err != nil {
		return nil, err
	}
	o, err := s.c.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, fmt.Errorf("blob: get %s: %w", sha, err)
	}
	st, err := o.Stat()
	if err != nil {
		_ = o.Close()
		if notFound(err) {
			return nil, blob.ErrNotFound
		}
		return nil, fmt.Errorf("blob: get %s: %w", sha, err)
	}
	return &object{Object: o, info: blob.Info{SHA256: sha, Size: st.Size, ModTime: st.LastModified}}, nil
}

type object struct {
	*minio.Object
	info blob.Info
}

func (o *object) Info() blob.Info { return o.info }

// Stat implements blob.Store.
func (s *Store) Stat(ctx context.Context, sha string) (blob.Info, error) {
	key, err := s.key(sha)
	if err != nil {
		return blob.Info{}, err
	}
	st, err := s.c.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	if notFound(err) {
		return blob.Info{}, blob.ErrNotFound
	}
	if err != nil {
		return blob.Info{}, fmt.Errorf("blob: stat %s: %w", sha, err)
	}
	return blob.Info{SHA256: sha, Size: st.Size, ModTime: st.LastModified}, nil
}

// Delete implements blob.Store; S3 answers a delete of an absent key with
// success.
func (s *Store) Delete(ctx context.Context, sha string) error {
	key, err := s.key(sha)
	if err != nil {
		return err
	}
	if err := s.c.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{}); err != nil && !notFound(err) {
		return fmt.Errorf("blob: delete %s: %w", sha, err)
	}
	return nil
}

// Walk implements blob.Store; keys that are not blobs are skipped.
func (s *Store) Walk(ctx context.Context, fn func(blob.Info) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the listing when fn stops early
	for o := range s.c.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: s.prefix, Recursive: true}) {
		if o.Err != nil {
			return fmt.Errorf("blob: list: %w", o.Err)
		}
		sha, ok := parseKey(s.prefix, o.Key)
		if !ok {
			continue
		}
		if err := fn(blob.Info{SHA256: sha, Size: o.Size, ModTime: o.LastModified}); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// PresignGet implements blob.Presigner: a URL valid for ttl that answers
// with the given content type and disposition.
func (s *Store) PresignGet(ctx context.Context, sha string, ttl time.Duration, contentType, disposition string) (string, error) {
	key, err := s.key(sha)
	if err != nil {
		return "", err
	}
	q := url.Values{}
	q.Set("response-content-type", contentType)
	if disposition != "" {
		q.Set("response-content-disposition", disposition)
	}
	u, err := s.c.PresignedGetObject(ctx, s.bucket, key, ttl, q)
	if err != nil {
		return "", fmt.Errorf("blob: presign %s: %w", sha, err)
	}
	return u.String(), nil
}

// parseKey returns the sha256 a listed key names, or false for a key that
// is not a blob of this store (another prefix, a stray object).
func parseKey(prefix, key string) (string, bool) {
	name, ok := strings.CutPrefix(key, prefix)
	if !ok {
		return "", false
	}
	shard, sha, ok := strings.Cut(name, "/")
	if !ok || !blob.ValidSHA256(sha) || shard != sha[:2] {
		return "", false
	}
	return sha, true
}
