package e2e

import (
	"bytes"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/internal/testdata"
)

// proc is a running binary whose output is kept for failure messages.
type proc struct {
	name string
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
	err  error
}

func (p *proc) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.Write(b)
}

func (p *proc) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// start runs a built binary; at the end of the test it is stopped with
// SIGTERM (if still running) and its output is printed when the test failed.
func start(t *testing.T, dir, name string, args ...string) *proc {
	t.Helper()
	return startEnv(t, dir, nil, name, args...)
}

// startEnv is start with extra environment variables (KEY=value).
func startEnv(t *testing.T, dir string, env []string, name string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(bin(name), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	return startCmd(t, name, cmd)
}

// startCmd is start for a command made elsewhere (the test binary itself,
// say); its output goes to the proc.
func startCmd(t *testing.T, name string, cmd *exec.Cmd) *proc {
	t.Helper()
	p := &proc{name: name, cmd: cmd, done: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = p, p
	require.NoError(t, p.cmd.Start(), "start %s", name)
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.stop(t)
		if t.Failed() {
			t.Logf("---- %s output ----\n%s", name, p.output())
		}
	})
	return p
}

// stop sends SIGTERM and returns the exit error; it kills the process if it
// has not stopped within 30 s, which fails the test.
func (p *proc) stop(t *testing.T) error {
	select {
	case <-p.done:
		return p.err
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return p.err
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
		t.Errorf("%s did not stop within 30 s of SIGTERM", p.name)
		return p.err
	}
}

// freeAddr returns a loopback address with a port nobody listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

// waitHTTP polls url until it answers 200 or the process exits.
func waitHTTP(t *testing.T, p *proc, url string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			t.Fatalf("%s exited early: %v\n%s", p.name, p.err, p.output())
		default:
		}
		if resp, err := clientFor(url).Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s did not answer %s within 60 s\n%s", p.name, url, p.output())
}

// manifestPath returns a model manifest in a temporary folder whose weights
// are the test data's YOLOX-Nano, so tests do not depend on
// hack/fetch-models.sh having run.
func manifestPath(t *testing.T) string {
	t.Helper()
	root, err := testdata.RepoRoot()
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, os.Symlink(testdata.Path(t, "models", "yolox_nano.onnx"), filepath.Join(dir, "yolox_nano.onnx")))
	require.NoError(t, os.Symlink(filepath.Join(root, "models", "coco_classes.txt"), filepath.Join(dir, "coco_classes.txt")))
	m, err := os.ReadFile(filepath.Join(root, "models", "yolox-nano.yaml"))
	require.NoError(t, err)
	p := filepath.Join(dir, "yolox-nano.yaml")
	require.NoError(t, os.WriteFile(p, m, 0o600))
	return p
}
