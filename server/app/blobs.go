package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/xiuhua/xiuhua/server/blob"
	"github.com/xiuhua/xiuhua/server/blob/s3blob"
	"github.com/xiuhua/xiuhua/server/config"
)

// SpoolDir, under data_dir, receives blobs on their way to S3.
const SpoolDir = "spool"

// openBlobs opens the configured blob store, wrapped so that content whose
// sha256 no longer matches is refused and counted. With S3 a missing
// bucket or refused credentials fail here, naming the field.
func openBlobs(ctx context.Context, cfg config.Config, reg prometheus.Registerer, log *slog.Logger) (*blob.Checked, error) {
	var s blob.Store
	switch cfg.Blobs.Backend {
	case config.BlobsS3:
		c := cfg.Blobs.S3
		st, err := s3blob.Open(ctx, s3blob.Config{
			Endpoint: c.Endpoint, Bucket: c.Bucket, Region: c.Region, Prefix: c.Prefix,
			PathStyle: c.PathStyle, TLS: c.TLS, CAFile: c.CAFile,
			AccessKey: c.AccessKey, SecretKey: c.SecretKey, CredentialsFile: c.CredentialsFile, Profile: c.Profile,
			SpoolDir: localBlobDir(cfg),
		})
		if err != nil {
			return nil, s3Field(err)
		}
		s = st
	default:
		st, err := blob.NewFolder(localBlobDir(cfg))
		if err != nil {
			return nil, err
		}
		s = st
	}
	corrupt := prometheus.NewCounter(prometheus.CounterOpts{
		Name: "xiuhua_blob_corrupt_total",
		Help: "Blobs found on read not to match their sha256; refused, not served.",
	})
	if reg != nil {
		reg.MustRegister(corrupt)
	}
	c := blob.NewChecked(s)
	c.OnCorrupt = func(sha string) {
		corrupt.Inc()
		log.Error("blob does not match its sha256: refused", "sha256", sha)
	}
	return c, nil
}

// localBlobDir is the folder on this machine that every blob passes
// through: the evidence folder itself, or with S3 the spool that uploads
// land in before they are sent. A full disk there refuses uploads.
func localBlobDir(cfg config.Config) string {
	if cfg.Blobs.Backend == config.BlobsS3 {
		return filepath.Join(cfg.DataDir, SpoolDir)
	}
	return filepath.Join(cfg.DataDir, EvidenceDir)
}

// s3Field names the configuration field an S3 start-up check points at.
func s3Field(err error) error {
	var ce *s3blob.CheckError
	if !errors.As(err, &ce) {
		return fmt.Errorf("blobs.s3: %w", err)
	}
	field := "blobs.s3." + strings.ToLower(ce.Field)
	switch ce.Field {
	case "CAFile":
		field = "blobs.s3.ca_file"
	case "Credentials":
		field = "blobs.s3 credentials (XIUHUA_S3_ACCESS_KEY/XIUHUA_S3_SECRET_KEY, blobs.s3.credentials_file or AWS_ACCESS_KEY_ID)"
	}
	return fmt.Errorf("%s: %w", field, ce.Err)
}

// evidenceOrigin is the scheme://host:port browsers fetch presigned
// evidence from; empty when evidence is streamed.
func evidenceOrigin(b config.Blobs) string {
	if b.Backend != config.BlobsS3 || b.EvidenceURLTTL <= 0 {
		return ""
	}
	scheme := "http"
	if b.S3.TLS {
		scheme = "https"
	}
	return scheme + "://" + b.S3.Endpoint
}
