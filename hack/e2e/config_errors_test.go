package e2e

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestConfigErrorsExitWithStatus2 runs each binary on a bad file and checks
// the exit status and that the message names the field, the value and what
// is allowed.
func TestConfigErrorsExitWithStatus2(t *testing.T) {
	edgeBase := "device: {id: edge-1}\ncameras:\n  - id: cam1\n    url: rtsp://127.0.0.1:1/x\n"
	cases := []struct {
		name, binary, config, want string
	}{
		{"edge unknown key", "edge", "device: {id: e1}\nfrobnicate: true\n", "field frobnicate not found"},
		{"edge bad transport", "edge", edgeBase + "    transport: quic\n", `cameras[0].transport: invalid value "quic": allowed: tcp, udp`},
		{"edge bad duration", "edge", edgeBase + "    stall_timeout: forever\n", `invalid duration "forever"`},
		{"edge bad rule type", "edge", edgeBase + "    zones:\n      - id: z\n        polygon: [[0,0],[1,0],[1,1]]\n        rules: [{id: r, type: jaywalking, classes: [person], dwell: 5s}]\n",
			`cameras[0].zones[0].rules[0].type: invalid value "jaywalking"`},
		{"edge bad url", "edge", "device: {id: edge-1}\ncameras:\n  - {id: cam1, url: 'ftp://cam'}\n", `cameras[0].url: invalid value "ftp://cam": allowed: an rtsp:// or rtsps:// URL`},
		{"edge unknown class", "edge", edgeBase + "    zones:\n      - id: z\n        polygon: [[0,0],[1,0],[1,1]]\n        rules: [{id: r, type: demo_linger, classes: [unicorn], dwell: 5s}]\nmodel: {manifest: " + manifestPath(t) + "}\n",
			`cameras[0].zones[0].rules[0].classes[0]: invalid value "unicorn": allowed: a class of model`},
		{"server bad listen", "server", "http: {listen: 'nowhere'}\n", `http.listen: invalid value "nowhere"`},
		{"server unknown key", "server", "colour: red\n", "field colour not found"},
		{"server bad log level", "server", "log: {level: loud}\n", `log.level: invalid value "loud"`},
		{"server bad device auth", "server", "auth: {devices: trust}\n", `auth.devices: invalid value "trust": allowed: token, open`},
		{"server open devices off loopback", "server", "grpc: {listen: ':9090'}\nauth: {devices: open}\n", `auth.devices: invalid value "open": allowed: token; open only with a loopback grpc.listen`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := filepath.Join(dir, "config.yaml")
			require.NoError(t, os.WriteFile(cfg, []byte(tc.config), 0o600))
			cmd := exec.Command(bin(tc.binary), "-config", cfg, "-data-dir", filepath.Join(dir, "data"))
			cmd.Dir = dir
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			require.True(t, errors.As(err, &exit), "want exit status 2, got %v; output:\n%s", err, out)
			require.Equal(t, 2, exit.ExitCode(), "output:\n%s", out)
			require.Contains(t, string(out), tc.want)
		})
	}
}
