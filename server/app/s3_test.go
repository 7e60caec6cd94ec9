package app

import (
	"context"
	"crypto/ed25519"
	"image/color"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/xiuhua/xiuhua/internal/conf"
	"github.com/xiuhua/xiuhua/internal/s3test"
	"github.com/xiuhua/xiuhua/server/config"
	"github.com/xiuhua/xiuhua/server/store"

	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

func s3Config(t *testing.T, srv *s3test.Server) config.Config {
	cfg := testConfig(t.TempDir())
	cfg.Blobs.Backend = config.BlobsS3
	cfg.Blobs.S3 = config.S3{Endpoint: srv.Endpoint, Bucket: srv.Bucket, PathStyle: true,
		AccessKey: s3test.AccessKey, SecretKey: s3test.SecretKey}
	return cfg
}

// With evidence on S3: a report is stored and its evidence served; a wrong
// bucket or key stops the start naming the field; with S3 gone, reports are
// refused as Unavailable and nothing reaches the database.
func TestS3Backend(t *testing.T) {
	srv := s3test.Start(t)

	for _, tc := range []struct {
		name, want string
		edit       func(*config.Config)
	}{
		{"bucket", `blobs.s3.bucket: s3: bucket "not-ours" does not exist`, func(c *config.Config) { c.Blobs.S3.Bucket = "not-ours" }},
		{"credentials", "blobs.s3 credentials (XIUHUA_S3_ACCESS_KEY", func(c *config.Config) { c.Blobs.S3.SecretKey = "guessed" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := s3Config(t, srv)
			tc.edit(&cfg)
			_, err := New(cfg, WithLogger(quietLogger()))
			require.ErrorContains(t, err, tc.want)
		})
	}

	cfg := s3Config(t, srv)
	r := start(t, cfg)
	// With S3 there is no evidence folder: health looks at the spool's disk.
	hz, body := httpGet(t, "http://"+r.app.HTTPAddr()+"/healthz")
	require.Equal(t, http.StatusOK, hz.StatusCode, "%s", body)
	client := dial(t, r.app.GRPCAddr(), nil)
	_, key, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	snap := evFile{name: "snapshot.jpg", kind: xiuhuav1.EvidenceKind_EVIDENCE_KIND_SNAPSHOT,
		data: jpegBytes(t, 320, 180, color.RGBA{R: 200, G: 20, B: 30})}
	resp, err := sendReport(t, client, key, "s3-ev-1", snap)
	require.NoError(t, err)
	require.False(t, resp.Duplicate)
	got, body := httpGet(t, "http://"+r.app.HTTPAddr()+"/evidence/"+hexSum(snap.data))
	require.Equal(t, http.StatusOK, got.StatusCode)
	require.Equal(t, snap.data, body)
	// Nothing of it stays in the local spool.
	left, err := filepath.Glob(filepath.Join(cfg.DataDir, SpoolDir, "*", "put-*"))
	require.NoError(t, err)
	require.Empty(t, left)

	srv.Kill()
	other := evFile{name: "snapshot.jpg", kind: xiuhuav1.EvidenceKind_EVIDENCE_KIND_SNAPSHOT,
		data: jpegBytes(t, 320, 180, color.RGBA{R: 20, G: 200, B: 30})}
	_, err = sendReport(t, client, key, "s3-ev-2", other)
	require.Equal(t, codes.Unavailable, status.Code(err), "%v", err)
	_, err = r.app.store.ReportCase(context.Background(), "s3-ev-2")
	require.ErrorIs(t, err, store.ErrNotFound, "a report refused for want of S3 reached the database")
	left, err = filepath.Glob(filepath.Join(cfg.DataDir, SpoolDir, "*", "put-*"))
	require.NoError(t, err)
	require.Empty(t, left)
}

// With evidence_url_ttl set, the server checks access and sends the
// browser to a presigned URL of the store, which serves the file with the
// type the report declared; the pages allow the store's origin.
func TestS3PresignedEvidence(t *testing.T) {
	srv := s3test.Start(t)
	cfg := s3Config(t, srv)
	cfg.Blobs.EvidenceURLTTL = conf.Duration(time.Minute)
	r := start(t, cfg)
	_, key, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	snap := evFile{name: "snapshot.jpg", kind: xiuhuav1.EvidenceKind_EVIDENCE_KIND_SNAPSHOT,
		data: jpegBytes(t, 320, 180, color.RGBA{R: 2, G: 20, B: 200})}
	_, err = sendReport(t, dial(t, r.app.GRPCAddr(), nil), key, "s3-presign-1", snap)
	require.NoError(t, err)

	base := "http://" + r.app.HTTPAddr()
	req, err := http.NewRequest(http.MethodGet, base+"/evidence/"+hexSum(snap.data), nil)
	require.NoError(t, err)
	tok, _ := apiTokens.Load(r.app.HTTPAddr())
	req.Header.Set("Authorization", "Bearer "+tok.(string))
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusFound, resp.StatusCode)
	loc := resp.Header.Get("Location")
	require.True(t, strings.HasPrefix(loc, "http://"+srv.Endpoint+"/"), loc)

	// As a browser: no credentials of ours go to the store.
	got, err := http.Get(loc)
	require.NoError(t, err)
	body, err := io.ReadAll(got.Body)
	got.Body.Close()
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, got.StatusCode, string(body))
	require.Equal(t, "image/jpeg", got.Header.Get("Content-Type"))
	require.Equal(t, snap.data, body)

	page, _ := httpGet(t, base+"/login")
	require.Contains(t, page.Header.Get("Content-Security-Policy"), "img-src 'self' http://"+srv.Endpoint)
}
