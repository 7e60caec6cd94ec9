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
	"github.com/xiuhua/xiuhua/server/ingest"
	"github.com/xiuhua/xiuhua/server/retention"
	"github.com/xiuhua/xiuhua/server/store"
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
			SpoolDir: filepath.Join(cfg.DataDir, SpoolDir),
		})
		if err != nil {
			return nil, s3Field(err)
		}
		s = st
	default:
		st, err := blob.NewFolder(filepath.Join(cfg.DataDir, EvidenceDir))
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

// newSweeper applies cfg.Blobs.Retention.
func newSweeper(cfg config.Retention, st store.Retention, blobs blob.Store, reg prometheus.Registerer, log *slog.Logger) *retention.Sweeper {
	rules := make([]retention.Rule, len(cfg.Rules))
	for i, r := range cfg.Rules {
		rules[i] = retention.Rule{Kind: r.Kind, Outcome: r.Outcome, After: r.After.D()}
	}
	return retention.New(retention.Options{
		Store: st, Blobs: blobs, Rules: rules,
		Interval: cfg.Interval.D(), OrphanGrace: cfg.OrphanGrace.D(),
		Metrics: retention.NewMetrics(reg), Log: log,
	})
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

// sweeper runs the retention sweeper from Run until shutdown.
type sweeper struct {
	s    *retention.Sweeper
	stop context.CancelFunc
	done chan struct{}
}

func (w *sweeper) start(ctx context.Context) {
	ctx, w.stop = context.WithCancel(ctx)
	w.done = make(chan struct{})
	go func() {
		defer close(w.done)
		w.s.Run(ctx)
	}()
}

// close stops a pass in progress and waits for it; before the stores close.
func (w *sweeper) close() {
	if w == nil || w.stop == nil {
		return
	}
	w.stop()
	<-w.done
}

// modelSource serves registered models from the blob store to FetchModel.
type modelSource struct {
	st    store.Store
	blobs blob.Store
}

// OpenModel implements ingest.ModelSource. A version uploaded before model
// files went to the blob store is not there: ModelsDir serves it.
func (m modelSource) OpenModel(ctx context.Context, name, version string) ([]byte, string, blob.Object, error) {
	v, err := m.st.GetModelVersion(ctx, name, version)
	if errors.Is(err, store.ErrNotFound) {
		return nil, "", nil, ingest.ErrNoModel
	}
	if err != nil {
		return nil, "", nil, err
	}
	obj, err := m.blobs.Open(ctx, v.SHA256)
	if errors.Is(err, blob.ErrNotFound) {
		return nil, "", nil, ingest.ErrNoModel
	}
	if err != nil {
		return nil, "", nil, err
	}
	return v.Manifest, v.SHA256, obj, nil
}
