package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "server.yaml")
	require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
	return p
}

// TestRunRefuses covers the exit-2 paths in-process.
func TestRunRefuses(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"bad value in file", []string{"-config", writeFile(t, "log:\n  level: loud\n")}, nil,
			"server: invalid configuration:\nlog.level: invalid value \"loud\": allowed: debug, info, warn, error\n"},
		{"unknown key", []string{"-config", writeFile(t, "htp:\n  listen: :80\n")}, nil,
			"field htp not found in type config.Config"},
		{"named file missing", []string{"-config", "/nonexistent/server.yaml"}, nil,
			`server: read config "/nonexistent/server.yaml"`},
		{"env file missing", nil, map[string]string{"XIUHUA_CONFIG": "/nonexistent/x.yaml"},
			`server: read config "/nonexistent/x.yaml"`},
		{"bad flag value", []string{"-config", writeFile(t, ""), "-http", "nowhere"}, nil,
			`http.listen: invalid value "nowhere": allowed: host:port`},
		{"bad env value", []string{"-config", writeFile(t, "")}, map[string]string{"XIUHUA_LOG_FORMAT": "xml"},
			`log.format: invalid value "xml": allowed: text, json`},
		{"flag beats env", []string{"-config", writeFile(t, ""), "-grpc", "bad"}, map[string]string{"XIUHUA_GRPC_LISTEN": "127.0.0.1:0"},
			`grpc.listen: invalid value "bad"`},
		{"unknown flag", []string{"-verbose"}, nil, "flag provided but not defined: -verbose"},
		{"extra argument", []string{"-config", writeFile(t, ""), "serve"}, nil, "server: unexpected arguments: serve"},
		// Found only when the server starts, still a configuration error.
		{"webhook secret unset", []string{"-config", writeFile(t, "data_dir: "+t.TempDir()+"\nnotify:\n  webhooks:\n    - url: http://127.0.0.1:1/hook\n      secret_env: XIUHUA_TEST_UNSET_SECRET\n"),
			"-http", "127.0.0.1:0", "-grpc", "127.0.0.1:0"}, nil,
			`notify.webhooks[0].secret_env: invalid value "XIUHUA_TEST_UNSET_SECRET": allowed: the name of a set, non-empty environment variable`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			code := run(tc.args, env(tc.env), &stderr)
			require.Equal(t, 2, code, stderr.String())
			require.Contains(t, stderr.String(), tc.want)
		})
	}
}

// buildBinary builds the real command once per test run.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "server")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)

	t.Run("bad config exits 2", func(t *testing.T) {
		cmd := exec.Command(bin, "-config", writeFile(t, "limits:\n  max_evidence_files: 0\n"))
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		var exit *exec.ExitError
		require.True(t, errors.As(err, &exit), "%v", err)
		require.Equal(t, 2, exit.ExitCode())
		require.Equal(t, "server: invalid configuration:\nlimits.max_evidence_files: invalid value 0: allowed: 1 to 64\n", stderr.String())
	})

	t.Run("serves and stops on SIGTERM", func(t *testing.T) {
		dir := t.TempDir()
		cmd := exec.Command(bin, "-data-dir", filepath.Join(dir, "data"), "-http", "127.0.0.1:0", "-grpc", "127.0.0.1:0")
		cmd.Dir = dir // no server.yaml here: defaults
		cmd.Env = append(os.Environ(), "XIUHUA_LOG_FORMAT=text")
		stderr, err := cmd.StderrPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		defer cmd.Process.Kill()

		// Read the log until the started line, then keep draining it.
		lines := bufio.NewScanner(stderr)
		var started string
		for lines.Scan() {
			if strings.Contains(lines.Text(), `msg="server started"`) {
				started = lines.Text()
				break
			}
		}
		require.NotEmpty(t, started, "no start line")
		rest := make(chan string, 1)
		go func() {
			b, _ := io.ReadAll(stderr)
			rest <- string(b)
		}()
		m := regexp.MustCompile(` cases=(http://\S+/)`).FindStringSubmatch(started)
		require.NotNil(t, m, started)
		require.Regexp(t, ` grpc=127\.0\.0\.1:\d+ `, started)

		resp, err := http.Get(m[1] + "healthz")
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.FileExists(t, filepath.Join(dir, "data", "xiuhua.db"))

		require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
		// The log ends when the process exits; only then may Wait run.
		select {
		case log := <-rest:
			require.Contains(t, log, `msg=stopped`)
		case <-time.After(30 * time.Second):
			t.Fatal("server did not stop after SIGTERM")
		}
		require.NoError(t, cmd.Wait(), "exit status after SIGTERM")
	})
}
