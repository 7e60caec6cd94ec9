package e2e

import (
	"bytes"
	"fmt"
	"image/jpeg"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/internal/testdata"
)

// TestCameraToCase runs the three binaries as a user would: camsim serves
// vtest.avi over RTSP, the edge watches it with the real YOLOX-Nano model
// and a short linger rule, and the server files the case. It asserts that a
// case arrives with a signed report and a JPEG snapshot that decodes to the
// camera's frame size, while a second, broken camera on the same edge keeps
// retrying without getting in the way; then that every process stops
// cleanly on SIGTERM.
func TestCameraToCase(t *testing.T) {
	dir := t.TempDir()
	rtspAddr, httpAddr, grpcAddr, edgeHTTP := freeAddr(t), freeAddr(t), freeAddr(t), freeAddr(t)

	camsim := start(t, dir, "camsim", "-listen", rtspAddr, "-stream", "cam1="+testdata.Path(t, "media", "vtest.avi"))

	// As an operator would: register the edge (its token goes in a file
	// the edge reads), make a token for the API, then start the server
	// with the first admin's password in its environment.
	server, base, tokenFiles := startServer(t, dir, httpAddr, grpcAddr, "auth: {devices: token, bootstrap_admin: chief}\n",
		[]string{"XIUHUA_ADMIN_PASSWORD=e2e-admin-password"}, map[string][]string{"edge-e2e": {"cam1", "broken"}})

	edgeCfg := lingerEdge{ID: "edge-e2e", Dir: dir, GRPC: grpcAddr, HTTP: edgeHTTP, RTSP: rtspAddr,
		TokenFile: tokenFiles["edge-e2e"], ExtraCameras: fmt.Sprintf(`  - id: broken
    url: rtsp://%s/no-such-path
    zones:
      - id: all
        polygon: [[0, 0], [1, 0], [1, 1], [0, 1]]
        rules: [{id: linger, type: demo_linger, classes: [person], dwell: 4s}]
`, rtspAddr)}.write(t)
	edge := start(t, dir, "edge", "-config", edgeCfg)

	cases := waitForCases(t, base, edge)
	c := cases[0]
	require.Equal(t, "demo_linger", c.ViolationType)
	require.Equal(t, "cam1", c.CameraID)
	require.Equal(t, "linger", c.RuleID)

	var detail apiCaseDetail
	getJSON(t, base+"/api/v1/cases/"+c.ID, &detail)
	require.NotEmpty(t, detail.Reports)
	rep := detail.Reports[0]
	require.GreaterOrEqual(t, rep.DwellSeconds, 4.0)
	require.True(t, rep.SignatureVerified, "report signature not verified against the key from Hello")
	require.Equal(t, "yolox-nano", rep.Model.Name)
	// The raw and annotated frames, and the best sighting when that was an
	// earlier frame.
	require.GreaterOrEqual(t, len(rep.Evidence), 2)
	var clips int
	for _, ev := range rep.Evidence {
		if ev.ContentType == "video/mp4" {
			clips++
			checkClip(t, base+ev.URL)
			continue
		}
		resp, err := authGet(t, base+ev.URL)
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Equal(t, "image/jpeg", resp.Header.Get("Content-Type"))
		img, err := jpeg.Decode(bytes.NewReader(body))
		require.NoError(t, err, "evidence %s is not a JPEG", ev.Name)
		require.Equal(t, 768, img.Bounds().Dx())
		require.Equal(t, 576, img.Bounds().Dy())
	}

	require.Equal(t, 1, clips, "no clip from the ring buffer in the evidence")

	// The broken camera is retrying, with its error, and did not stop cam1.
	resp, err := http.Get("http://" + edgeHTTP + "/healthz")
	require.NoError(t, err)
	health, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Contains(t, string(health), "cam1 streaming")
	require.Contains(t, string(health), "broken retrying")
	require.Contains(t, edge.output(), "camera failed, retrying")

	// The case page sends a stranger to sign in, and shows the case to the
	// first admin once signed in.
	page := signedInPage(t, base, "chief", "e2e-admin-password")
	require.Contains(t, string(page), "cam1")
	require.Contains(t, string(page), "/evidence/")

	// Ctrl-C: each stops cleanly (exit status 0), edge first as in the demo.
	for _, p := range []*proc{edge, server, camsim} {
		require.NoError(t, p.stop(t), "%s did not exit cleanly:\n%s", p.name, p.output())
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
}

// checkClip downloads an evidence clip and has ffprobe read it: it must be
// an MP4 with an H.264 video stream and some frames.
func checkClip(t *testing.T, url string) {
	t.Helper()
	ffprobe, err := exec.LookPath("ffprobe")
	require.NoError(t, err, "ffprobe is needed to check clips (hack/setup.sh installs ffmpeg)")
	resp, err := authGet(t, url)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	path := filepath.Join(t.TempDir(), "clip.mp4")
	require.NoError(t, os.WriteFile(path, body, 0o600))
	out, err := exec.Command(ffprobe, "-v", "error", "-count_frames", "-select_streams", "v:0",
		"-show_entries", "stream=codec_name,nb_read_frames", "-of", "csv=p=0", path).CombinedOutput()
	require.NoError(t, err, "ffprobe: %s", out)
	var codec string
	var frames int
	_, err = fmt.Sscanf(strings.TrimSpace(string(out)), "%4s,%d", &codec, &frames)
	require.NoError(t, err, "ffprobe said %q", out)
	require.Equal(t, "h264", codec)
	require.Greater(t, frames, 10, "a clip of about 5 s at 10 fps")
}
