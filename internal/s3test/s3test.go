// Package s3test starts a real S3-compatible server for tests: SeaweedFS's
// `weed server -s3` on loopback ports, with one identity and a bucket. The
// weed binary comes from hack/setup.sh ($XIUHUA_CACHE/bin/weed), or from
// $XIUHUA_WEED. Only tests import it.
package s3test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// The identity the server knows; any other key is refused.
const (
	AccessKey = "xiuhua-test"
	SecretKey = "xiuhua-test-secret-key"
)

// Server is a running SeaweedFS with an S3 gateway.
type Server struct {
	Endpoint string // 127.0.0.1:port
	Bucket   string // created, empty
	Client   *minio.Client
	cmd      *exec.Cmd
	done     chan struct{}
}

// Binary finds the weed binary, or fails the test saying how to get it.
func Binary(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("XIUHUA_WEED"); p != "" {
		return p
	}
	cache := os.Getenv("XIUHUA_CACHE")
	if cache == "" {
		dir, err := os.UserCacheDir()
		if err != nil {
			t.Fatalf("s3test: no cache folder: %v", err)
		}
		cache = filepath.Join(dir, "xiuhua")
	}
	p := filepath.Join(cache, "bin", "weed")
	if _, err := os.Stat(p); err != nil {
		if lp, err := exec.LookPath("weed"); err == nil {
			return lp
		}
		t.Fatalf("s3test: no SeaweedFS binary at %s (run hack/setup.sh, or set XIUHUA_WEED)", p)
	}
	return p
}

// Start starts a server with a fresh bucket; the test's cleanup stops it.
// A server that exits while starting (a port taken between our check and
// its bind, on a machine shared with other tests) is started again on other
// ports, up to three times.
func Start(t testing.TB) *Server {
	t.Helper()
	for attempt := 1; ; attempt++ {
		s := launch(t, filepath.Join(t.TempDir(), strconv.Itoa(attempt)))
		err := s.waitReady()
		if err == nil {
			return s
		}
		if !errors.Is(err, errExited) || attempt == 3 {
			t.Fatalf("s3test: %v", err)
		}
		t.Logf("s3test: %v; starting again on other ports", err)
	}
}

var errExited = errors.New("weed exited while starting")

// launch starts weed with its data in dir.
func launch(t testing.TB, dir string) *Server {
	t.Helper()
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "s3.json")
	identity := fmt.Sprintf(`{"identities":[{"name":"xiuhua","credentials":[{"accessKey":%q,"secretKey":%q}],`+
		`"actions":["Admin","Read","Write","List","Tagging"]}]}`, AccessKey, SecretKey)
	if err := os.WriteFile(cfg, []byte(identity), 0o600); err != nil {
		t.Fatal(err)
	}
	ports := freePorts(t, 4)
	args := []string{"server", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-dir=" + dir, "-filer", "-s3",
		"-master.port=" + ports[0], "-volume.port=" + ports[1], "-filer.port=" + ports[2], "-s3.port=" + ports[3],
		"-s3.config=" + cfg, "-s3.autoCreateBucket=false", "-s3.port.iceberg=0",
		"-master.volumeSizeLimitMB=64", "-volume.max=16"}
	cmd := exec.Command(Binary(t), args...)
	log, err := os.Create(filepath.Join(dir, "weed.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("s3test: start weed: %v", err)
	}
	s := &Server{Endpoint: "127.0.0.1:" + ports[3], Bucket: fmt.Sprintf("xiuhua-%d", rand.IntN(1e9)), cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(s.done) }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-s.done
		_ = log.Close()
		if t.Failed() {
			out, _ := os.ReadFile(log.Name())
			t.Logf("weed log (last 4 KiB):\n%s", tail(out, 4096))
		}
	})
	s.Client, err = minio.New(s.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(AccessKey, SecretKey, ""), BucketLookup: minio.BucketLookupPath})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// waitReady waits, with a bound generous for a loaded machine, until the
// bucket can be made and written.
func (s *Server) waitReady() error {
	deadline := time.Now().Add(3 * time.Minute)
	var last error
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return fmt.Errorf("%w: %v", errExited, s.cmd.ProcessState)
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		last = s.ready(ctx)
		cancel()
		if last == nil {
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("S3 not ready after 3 minutes: %w", last)
}

func (s *Server) ready(ctx context.Context) error {
	ok, err := s.Client.BucketExists(ctx, s.Bucket)
	if err != nil {
		return err
	}
	if !ok {
		if err := s.Client.MakeBucket(ctx, s.Bucket, minio.MakeBucketOptions{}); err != nil {
			return err
		}
	}
	// Volumes are allocated on the first write: make it now.
	_, err = s.Client.PutObject(ctx, s.Bucket, "ready", nil, 0, minio.PutObjectOptions{})
	if err != nil {
		return err
	}
	return s.Client.RemoveObject(ctx, s.Bucket, "ready", minio.RemoveObjectOptions{})
}

// Kill stops the server at once (SIGKILL), for fault tests.
func (s *Server) Kill() {
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
	<-s.done
}

// freePorts returns n loopback ports that are free now, each with port+10000
// free too (SeaweedFS puts each service's gRPC there).
func freePorts(t testing.TB, n int) []string {
	t.Helper()
	var out []string
	for tries := 0; len(out) < n && tries < 1000; tries++ {
		p := 20000 + rand.IntN(25000)
		if !slices.Contains(out, strconv.Itoa(p)) && free(p) && free(p+10000) {
			out = append(out, strconv.Itoa(p))
		}
	}
	if len(out) < n {
		t.Fatal("s3test: no free ports")
	}
	return out
}

func free(port int) bool {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return false
	}
	_ = l.Close()
	return true
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
