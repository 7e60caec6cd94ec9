package e2e

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/edge/identity"
	"github.com/xiuhua/xiuhua/edge/outbox"
	"github.com/xiuhua/xiuhua/edge/uplink"
	"github.com/xiuhua/xiuhua/internal/s3test"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
	"github.com/xiuhua/xiuhua/server/store/postgres/pgtest"
)

// TestReplicasOnS3: three server processes share one PostgreSQL database
// and one S3 bucket (a real SeaweedFS) behind a round-robin balancer; three
// edges spread over them. One replica is SIGKILLed while it is receiving
// evidence. Every report is stored exactly once, every evidence file is
// readable, with its sha256, from every replica, and the killed replica,
// started again, finds its spool cleaned.
func TestReplicasOnS3(t *testing.T) {
	dir := t.TempDir()
	s3 := s3test.Start(t)
	env := append(os.Environ(), "XIUHUA_S3_ACCESS_KEY="+s3test.AccessKey, "XIUHUA_S3_SECRET_KEY="+s3test.SecretKey)
	replicas, tokenFiles := setUpReplicas(t, dir, env, s3)
	var backends []string
	for _, r := range replicas {
		r.start(t)
		backends = append(backends, r.grpc)
	}
	outboxes, want := startEdges(t, dir, startBalancer(t, backends), tokenFiles)

	// SIGKILL the first replica seen with a blob in its spool: mid-upload.
	var victim *s3Replica
	require.Eventually(t, func() bool {
		for _, r := range replicas {
			if m, _ := filepath.Glob(r.spool()); len(m) > 0 {
				victim = r
				return true
			}
		}
		return false
	}, 2*time.Minute, 2*time.Millisecond, "no replica received evidence")
	require.NoError(t, victim.p.cmd.Process.Kill())
	<-victim.p.done
	left, _ := filepath.Glob(victim.spool())
	t.Logf("replica %s killed with %d partial spool files", victim.grpc, len(left))

	require.Eventually(t, func() bool {
		for _, ob := range outboxes {
			if n, _, _ := ob.Stats(); n > 0 {
				return false
			}
		}
		return true
	}, 3*time.Minute, 100*time.Millisecond, "outboxes did not drain")
	for _, ob := range outboxes {
		require.Zero(t, ob.DeadCount(), "reports were refused for good")
	}

	// The killed replica comes back; its leftovers go at start.
	victim.start(t)
	left, _ = filepath.Glob(victim.spool())
	require.Empty(t, left, "partial spool files survived the restart")

	var sums map[string]string // evidence URL → sha256, as the first replica lists them
	for _, r := range replicas {
		urls := checkReplica(t, "http://"+r.http, want)
		if sums == nil {
			sums = urls
		}
		require.Equal(t, sums, urls)
	}
}

// s3Replica is one server process of TestReplicasOnS3.
type s3Replica struct {
	dir, cfg, http, grpc, apiToken string
	env                            []string
	p                              *proc
}

func (r *s3Replica) start(t *testing.T) {
	r.p = startEnv(t, r.dir, r.env, "server", "-config", r.cfg)
	waitHTTP(t, r.p, "http://"+r.http+"/healthz")
	apiTokens.Store(r.http, r.apiToken)
}

func (r *s3Replica) spool() string { return filepath.Join(r.dir, "data", "spool", "p-*", "put-*") }

// setUpReplicas writes three replicas' configurations on one fresh
// PostgreSQL schema and the bucket, and registers the edges and an API
// token once: they live in the shared database.
func setUpReplicas(t *testing.T, dir string, env []string, s3 *s3test.Server) ([]*s3Replica, map[string]string) {
	dsn := pgtest.Schema(t)
	replicas := make([]*s3Replica, 3)
	for i := range replicas {
		r := &s3Replica{dir: filepath.Join(dir, fmt.Sprintf("r%d", i)), http: freeAddr(t), grpc: freeAddr(t), env: env}
		require.NoError(t, os.MkdirAll(r.dir, 0o750))
		r.cfg = filepath.Join(r.dir, "server.yaml")
		writeFile(t, r.cfg, fmt.Sprintf("http: {listen: %q}\ngrpc: {listen: %q}\ndata_dir: %q\n"+
			"store: {driver: postgres, dsn: %q}\n"+
			"blobs: {backend: s3, s3: {endpoint: %q, bucket: %q, path_style: true, prefix: evidence/}}\n",
			r.http, r.grpc, filepath.Join(r.dir, "data"), dsn, s3.Endpoint, s3.Bucket))
		replicas[i] = r
	}
	tokenFiles := map[string]string{}
	for e := range s3Edges {
		dev := fmt.Sprintf("edge-r%d", e)
		tokenFiles[dev] = filepath.Join(dir, dev+".token")
		writeFile(t, tokenFiles[dev], command(t, dir, env, "device", "add", "-config", replicas[0].cfg, "-camera", "cam0", dev)+"\n")
	}
	tok := command(t, dir, env, "token", "add", "-config", replicas[0].cfg, "-role", "admin", "e2e")
	for _, r := range replicas {
		r.apiToken = tok
	}
	return replicas, tokenFiles
}

// The edges of TestReplicasOnS3: each with reports of a picture and a clip
// large enough that a replica spends a while receiving it.
const s3Edges, s3PerEdge, s3ClipBytes = 3, 5, 4 << 20

// startEdges fills each edge's outbox, then starts its sender towards lb.
func startEdges(t *testing.T, dir, lb string, tokenFiles map[string]string) ([]*outbox.Outbox, map[string]bool) {
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	want := map[string]bool{}
	var outboxes []*outbox.Outbox
	for e := range s3Edges {
		dev := fmt.Sprintf("edge-r%d", e)
		id, err := identity.LoadOrCreate(filepath.Join(dir, dev, "device.key"))
		require.NoError(t, err)
		ob, err := outbox.Open(filepath.Join(dir, dev, "outbox"), logger, prometheus.NewRegistry(), outbox.WithSigner(id.Sign))
		require.NoError(t, err)
		t.Cleanup(func() { _ = ob.Close() })
		for i := range s3PerEdge {
			rep := syntheticReport(i)
			rep.DeviceId, rep.CameraId = dev, "cam0"
			rep.EventId = fmt.Sprintf("%s_%d_%d", dev, i, time.Now().UnixNano())
			want[rep.EventId] = true
			clip := make([]byte, s3ClipBytes)
			_, _ = rand.Read(clip)
			require.NoError(t, ob.Put(rep, []outbox.File{
				{Name: "snapshot.jpg", Kind: xiuhuav1.EvidenceKind_EVIDENCE_KIND_SNAPSHOT, ContentType: "image/jpeg", Data: syntheticJPEG(t, i)},
				{Name: "clip.mp4", Kind: xiuhuav1.EvidenceKind_EVIDENCE_KIND_CLIP, ContentType: "video/mp4", Data: clip},
			}))
		}
		outboxes = append(outboxes, ob)
		up, err := uplink.New(uplink.Config{ServerAddr: lb, TLS: uplink.TLSConfig{Insecure: true}, DeviceID: dev, TokenFile: tokenFiles[dev],
			RetryMin: 100 * time.Millisecond, RetryMax: time.Second, HeartbeatInterval: time.Second, RescanInterval: time.Second},
			ob, id, func() *xiuhuav1.Hello { return &xiuhuav1.Hello{DeviceId: dev} },
			func() *xiuhuav1.Heartbeat { return &xiuhuav1.Heartbeat{} }, logger)
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- up.Run(ctx) }()
		t.Cleanup(func() { cancel(); <-done })
	}
	return outboxes, want
}

// checkReplica checks that base lists exactly the wanted events, one case
// and one report each, and serves every evidence file with its sha256. It
// returns the evidence URLs with their sums.
func checkReplica(t *testing.T, base string, want map[string]bool) map[string]string {
	cases := allCases(t, base)
	require.Len(t, cases, len(want), base)
	got := map[string]bool{}
	urls := map[string]string{}
	for _, c := range cases {
		require.Equal(t, 1, c.ReportCount, "case %s holds a duplicate report", c.ID)
		var d apiCaseDetail
		getJSON(t, base+"/api/v1/cases/"+c.ID, &d)
		require.Len(t, d.Reports, 1)
		got[d.Reports[0].EventID] = true
		require.Len(t, d.Reports[0].Evidence, 2)
		for _, ev := range d.Reports[0].Evidence {
			urls[ev.URL] = ev.SHA256
		}
	}
	require.Equal(t, want, got, base)
	for u, sha := range urls {
		resp, err := authGet(t, base+u)
		require.NoError(t, err)
		h := sha256.New()
		_, err = io.Copy(h, resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s%s", base, u)
		require.Equal(t, sha, hex.EncodeToString(h.Sum(nil)), "%s%s", base, u)
	}
	return urls
}
