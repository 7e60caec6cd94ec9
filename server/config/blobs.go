package config

import (
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/xiuhua/xiuhua/internal/conf"
)

// Blob store backends.
const (
	BlobsFolder = "folder"
	BlobsS3     = "s3"
)

// Blobs selects where evidence, re-check pictures and handler photos live,
// and how long they are kept.
type Blobs struct {
	// Backend is folder (<data_dir>/evidence, the default) or s3
	// (S3-compatible object storage shared by several replicas).
	Backend string `yaml:"backend"`
	S3      S3     `yaml:"s3"`
	// EvidenceURLTTL, above zero, sends browsers to the object store with
	// presigned URLs valid this long instead of streaming evidence through
	// the server (s3 only). Zero, the default, streams and checks each
	// file's sha256 on the way.
	EvidenceURLTTL conf.Duration `yaml:"evidence_url_ttl"`
	Retention      Retention     `yaml:"retention"`
}

// S3 is an S3-compatible bucket. Credentials are not in the file: they come
// from XIUHUA_S3_ACCESS_KEY and XIUHUA_S3_SECRET_KEY, else from
// credentials_file (the AWS shared credentials format), else from
// AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
type S3 struct {
	Endpoint        string `yaml:"endpoint"` // host:port, no scheme
	Bucket          string `yaml:"bucket"`
	Region          string `yaml:"region"`
	Prefix          string `yaml:"prefix"`     // before every key, e.g. xiuhua/
	PathStyle       bool   `yaml:"path_style"` // bucket in the path (MinIO, SeaweedFS, Ceph)
	TLS             bool   `yaml:"tls"`
	CAFile          string `yaml:"ca_file"` // PEM of a private CA; empty: the system's
	CredentialsFile string `yaml:"credentials_file"`
	Profile         string `yaml:"profile"` // in credentials_file; empty: default

	AccessKey string `yaml:"-"` // from the environment only
	SecretKey string `yaml:"-"`
}

// Retention says how long evidence of finished cases is kept, and how the
// sweeper that applies it runs.
type Retention struct {
	// Interval is how often the sweeper runs.
	Interval conf.Duration `yaml:"interval"`
	// OrphanGrace is how old a blob nothing refers to must be before the
	// sweeper removes it: longer than any upload takes.
	OrphanGrace conf.Duration   `yaml:"orphan_grace"`
	Rules       []RetentionRule `yaml:"rules"`
}

// RetentionRule removes the files of one kind from cases that ended with
// one outcome, After that long in it. The evidence rows and the case's
// audit trail stay; the page then says the file was removed.
type RetentionRule struct {
	Kind    string        `yaml:"kind"`    // clip, snapshot, annotated, before_after
	Outcome string        `yaml:"outcome"` // rejected, closed, corrected
	After   conf.Duration `yaml:"after"`
}

// Retention kinds and outcomes; they are the store's evidence kinds and the
// case statuses of the same names, and "corrected": violations gone after a
// warning (warn first's 自治 records, never a case), by their age.
var (
	RetentionKinds    = []string{"clip", "snapshot", "annotated", "before_after"}
	RetentionOutcomes = []string{"rejected", "closed", "corrected"}
)

func defaultBlobs() Blobs {
	return Blobs{
		Backend: BlobsFolder,
		Retention: Retention{
			Interval:    conf.Duration(time.Hour),
			OrphanGrace: conf.Duration(24 * time.Hour),
		},
	}
}

var bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

func (b Blobs) validate(errs *conf.Errors) {
	switch b.Backend {
	case BlobsFolder:
		if b.EvidenceURLTTL != 0 {
			errs.Add("blobs.evidence_url_ttl", b.EvidenceURLTTL.String(), "0 with the folder backend (presigned URLs need blobs.backend: s3)")
		}
	case BlobsS3:
		b.S3.validate(errs)
		if d := b.EvidenceURLTTL.D(); d != 0 && (d < 10*time.Second || d > time.Hour) {
			errs.Add("blobs.evidence_url_ttl", b.EvidenceURLTTL.String(), "0 (stream through the server) or 10s to 1h")
		}
	default:
		errs.Add("blobs.backend", b.Backend, "folder, s3")
	}
	b.Retention.validate(errs)
}

func (s S3) validate(errs *conf.Errors) {
	host, port, err := net.SplitHostPort(s.Endpoint)
	if _, perr := strconv.ParseUint(port, 10, 16); err != nil || perr != nil || host == "" || strings.Contains(s.Endpoint, "/") {
		errs.Add("blobs.s3.endpoint", s.Endpoint, "host:port without a scheme, e.g. s3.example.cn:443 (set blobs.s3.tls for https)")
	}
	if !bucketName.MatchString(s.Bucket) {
		errs.Add("blobs.s3.bucket", s.Bucket, "an S3 bucket name: 3 to 63 of a-z 0-9 . -")
	}
	if s.Prefix != "" && (strings.HasPrefix(s.Prefix, "/") || !strings.HasSuffix(s.Prefix, "/")) {
		errs.Add("blobs.s3.prefix", s.Prefix, "empty, or a key prefix ending in / and not starting with /, e.g. xiuhua/")
	}
	if (s.AccessKey == "") != (s.SecretKey == "") {
		errs.Add("blobs.s3.credentials", "(hidden)", "XIUHUA_S3_ACCESS_KEY and XIUHUA_S3_SECRET_KEY set together")
	}
}

func (r Retention) validate(errs *conf.Errors) {
	if d := r.Interval.D(); d < time.Minute || d > 24*time.Hour {
		errs.Add("blobs.retention.interval", r.Interval.String(), "a duration from 1m to 24h")
	}
	if d := r.OrphanGrace.D(); d < 10*time.Minute {
		errs.Add("blobs.retention.orphan_grace", r.OrphanGrace.String(), "a duration of at least 10m (longer than any upload)")
	}
	seen := map[string]bool{}
	for i, rule := range r.Rules {
		field := fmt.Sprintf("blobs.retention.rules[%d]", i)
		if !oneOf(rule.Kind, RetentionKinds) {
			errs.Add(field+".kind", rule.Kind, strings.Join(RetentionKinds, ", "))
		}
		if !oneOf(rule.Outcome, RetentionOutcomes) {
			errs.Add(field+".outcome", rule.Outcome, strings.Join(RetentionOutcomes, ", "))
		}
		if rule.After.D() < time.Hour {
			errs.Add(field+".after", rule.After.String(), "a duration of at least 1h, e.g. 720h for 30 days")
		}
		if k := rule.Kind + "/" + rule.Outcome; seen[k] {
			errs.Add(field, k, "one rule per kind and outcome")
		} else {
			seen[k] = true
		}
	}
}

func oneOf(v string, allowed []string) bool {
	for _, a := range allowed {
		if v == a {
			return true
		}
	}
	return false
}
