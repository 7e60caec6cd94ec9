package s3blob_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/internal/s3test"
	"github.com/xiuhua/xiuhua/server/blob"
	"github.com/xiuhua/xiuhua/server/blob/blobtest"
	"github.com/xiuhua/xiuhua/server/blob/s3blob"
)

func config(srv *s3test.Server, spool string) s3blob.Config {
	return s3blob.Config{Endpoint: srv.Endpoint, Bucket: srv.Bucket, PathStyle: true, Prefix: "evidence/",
		AccessKey: s3test.AccessKey, SecretKey: s3test.SecretKey, SpoolDir: spool}
}

// One SeaweedFS for the whole package: it takes seconds to start.
func TestS3(t *testing.T) {
	srv := s3test.Start(t)
	spool := t.TempDir()
	s, err := s3blob.Open(context.Background(), config(srv, spool))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	dirs, err := filepath.Glob(filepath.Join(spool, "p-*"))
	require.NoError(t, err)
	require.Len(t, dirs, 1)

	t.Run("Suite", func(t *testing.T) {
		blobtest.Run(t, blobtest.Backend{Store: s, SpoolDir: dirs[0], Overwrite: func(sha string, data []byte) error {
			_, err := srv.Client.PutObject(context.Background(), srv.Bucket, "evidence/"+sha[:2]+"/"+sha,
				bytes.NewReader(data), int64(len(data)), minio.PutObjectOptions{})
			return err
		}})
	})
	t.Run("StartupChecks", func(t *testing.T) { testStartupChecks(t, srv) })
	t.Run("Presign", func(t *testing.T) { testPresign(t, srv, s) })
	t.Run("Unreachable", func(t *testing.T) { testUnreachable(t, srv, s) })
}

// A wrong bucket, wrong credentials or a dead endpoint stop the start,
// naming what to fix.
func testStartupChecks(t *testing.T, srv *s3test.Server) {
	ctx := context.Background()
	tests := []struct {
		name  string
		edit  func(*s3blob.Config)
		field string
		msg   string
	}{
		{"bucket", func(c *s3blob.Config) { c.Bucket = "no-such-bucket" }, "Bucket", `bucket "no-such-bucket" does not exist`},
		{"secret", func(c *s3blob.Config) { c.SecretKey = "wrong" }, "Credentials", "refused these credentials"},
		{"key", func(c *s3blob.Config) { c.AccessKey = "nobody" }, "Credentials", "refused these credentials"},
		{"endpoint", func(c *s3blob.Config) { c.Endpoint = "127.0.0.1:1" }, "Endpoint", "connection refused"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := config(srv, t.TempDir())
			tc.edit(&cfg)
			cctx, cancel := context.WithTimeout(ctx, time.Minute)
			defer cancel()
			_, err := s3blob.Open(cctx, cfg)
			var ce *s3blob.CheckError
			require.ErrorAs(t, err, &ce)
			require.Equal(t, tc.field, ce.Field, err.Error())
			require.ErrorContains(t, err, tc.msg)
		})
	}
}

// A presigned URL serves the content with the type asked for, without
// credentials.
func testPresign(t *testing.T, srv *s3test.Server, s *s3blob.Store) {
	ctx := context.Background()
	ref, err := blob.Put(ctx, s, bytes.NewReader([]byte("presigned picture")))
	require.NoError(t, err)
	u, err := s.PresignGet(ctx, ref.SHA256, time.Minute, "image/jpeg", "")
	require.NoError(t, err)
	resp, err := http.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	require.Equal(t, "presigned picture", string(body))
	require.Equal(t, "image/jpeg", resp.Header.Get("Content-Type"))
}

// S3 gone: Commit fails (the caller refuses the report as Unavailable) and
// leaves no spool file behind.
func testUnreachable(t *testing.T, srv *s3test.Server, s *s3blob.Store) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	w, err := s.Create(ctx)
	require.NoError(t, err)
	_, err = w.Write([]byte("written while S3 dies"))
	require.NoError(t, err)
	srv.Kill()
	_, err = w.Commit(ctx)
	require.Error(t, err)
	_, err = s.Stat(ctx, blobtest.Sum([]byte("written while S3 dies")))
	require.Error(t, err)
	require.NotErrorIs(t, err, blob.ErrNotFound, "unreachable is not absent")
}
