// Package s3blob is the blob store on S3-compatible object storage (MinIO,
// Ceph RGW, SeaweedFS, cloud OSS/COS), for several server replicas sharing
// one bucket. A blob is the object <prefix><first two hex digits>/<sha256>.
//
// S3 has no rename, and a blob's name is known only once all of it has
// arrived: a blob is received into a local spool file, then uploaded under
// its name in Commit (multipart above PartSize, streamed from the file, so
// no blob is ever whole in memory). Commit returns once S3 has answered the
// upload, which is when S3 promises durability. Committing content already
// stored uploads it again, which renews its time for the orphan sweeper's
// grace age. A crash leaves at most a spool file, removed at the next start,
// and possibly an incomplete multipart upload, which the bucket's own
// lifecycle rule (AbortIncompleteMultipartUpload) should clear.
package s3blob

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/xiuhua/xiuhua/server/blob"
)

// maxRetries bounds the attempts of one S3 request.
const maxRetries = 4

// PartSize is the multipart part size: the most of one blob held in memory
// by an upload.
const PartSize = 16 << 20

// Config says where the bucket is and who we are.
type Config struct {
	Endpoint  string // host:port
	Bucket    string
	Region    string // empty: the server's default
	Prefix    string // prepended to every key, e.g. "xiuhua/"
	PathStyle bool   // bucket in the path, not the host name (MinIO, SeaweedFS)
	TLS       bool
	CAFile    string // PEM; empty: the system's roots
	// AccessKey and SecretKey, when set, are the credentials; otherwise
	// CredentialsFile (AWS shared credentials format, Profile or
	// "default"), otherwise AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
	AccessKey, SecretKey string
	CredentialsFile      string
	Profile              string
	// SpoolDir holds blobs being received; local to this process's machine.
	SpoolDir string
}

// CheckError is a start-up check that failed, naming the Config field at
// fault: Endpoint, Bucket or Credentials.
type CheckError struct {
	Field string
	Err   error
}

func (e *CheckError) Error() string { return e.Err.Error() }
func (e *CheckError) Unwrap() error { return e.Err }

// Store implements blob.Store.
type Store struct {
	c      *minio.Client
	tr     *http.Transport // ours, so that Close can drop its connections
	bucket string
	prefix string
	spool  *blob.Spool
}

var _ blob.Store = (*Store)(nil)

// Open connects, checks that the bucket exists and that the credentials
// may use it, and opens the spool. A failed check is a *CheckError.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	// Few retries: a report that cannot be stored now is refused as
	// Unavailable, and the edge retries it from its outbox anyway.
	opts := &minio.Options{Creds: creds(cfg), Secure: cfg.TLS, Region: cfg.Region, BucketLookup: minio.BucketLookupDNS, MaxRetries: maxRetries}
	if cfg.PathStyle {
		opts.BucketLookup = minio.BucketLookupPath
	}
	tr, err := minio.DefaultTransport(cfg.TLS)
	if err != nil {
		return nil, err
	}
	if cfg.CAFile != "" {
		pool, err := caPool(cfg.CAFile)
		if err != nil {
			return nil, &CheckError{Field: "CAFile", Err: err}
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	opts.Transport = tr
	c, err := minio.New(cfg.Endpoint, opts)
	if err != nil {
		return nil, &CheckError{Field: "Endpoint", Err: fmt.Errorf("s3: %w", err)}
	}
	if err := check(ctx, c, cfg.Bucket); err != nil {
		tr.CloseIdleConnections()
		return nil, err
	}
	sp, err := blob.OpenSpool(cfg.SpoolDir)
	if err != nil {
		tr.CloseIdleConnections()
		return nil, err
	}
	return &Store{c: c, tr: tr, bucket: cfg.Bucket, prefix: cfg.Prefix, spool: sp}, nil
}

func creds(cfg Config) *credentials.Credentials {
	switch {
	case cfg.AccessKey != "":
		return credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, "")
	case cfg.CredentialsFile != "":
		return credentials.NewFileAWSCredentials(cfg.CredentialsFile, cfg.Profile)
	default:
		return credentials.NewEnvAWS()
	}
}

func caPool(file string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("s3 CA: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("s3 CA %s: no PEM certificate in it", file)
	}
	return pool, nil
}

// check asks for the bucket and sorts a failure by the field to fix.
func check(ctx context.Context, c *minio.Client, bucket string) error {
	ok, err := c.BucketExists(ctx, bucket)
	if err == nil && !ok {
		return &CheckError{Field: "Bucket", Err: fmt.Errorf("s3: bucket %q does not exist", bucket)}
	}
	if err == nil {
		return nil
	}
	switch minio.ToErrorResponse(err).Code {
	case "NoSuchBucket":
		return &CheckError{Field: "Bucket", Err: fmt.Errorf("s3: bucket %q does not exist", bucket)}
	case "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken":
		return &CheckError{Field: "Credentials", Err: fmt.Errorf("s3: bucket %q refused these credentials: %w", bucket, err)}
	}
	if strings.Contains(err.Error(), "credentials") {
		return &CheckError{Field: "Credentials", Err: fmt.Errorf("s3: %w", err)}
	}
	return &CheckError{Field: "Endpoint", Err: fmt.Errorf("s3: bucket %q: %w", bucket, err)}
}

// Close implements blob.Store.
func (s *Store) Close() error {
	s.tr.CloseIdleConnections()
	return s.spool.Close()
}

func (s *Store) key(sha string) (string, error) {
	if !blob.ValidSHA256(sha) {
		return "", blob.ErrBadSHA256
	}
	return s.prefix + sha[:2] + "/" + sha, nil
}

// notFound reports whether err is S3's "no such key".
func notFound(err error) bool {
	code := minio.ToErrorResponse(err).Code
	return code == "NoSuchKey" || code == "NotFound"
}
