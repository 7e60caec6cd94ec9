package e2e

import (
	"fmt"
	"path/filepath"
	"testing"
)

// lingerEdge is the edge configuration the single-camera end-to-end tests
// share: one camsim camera watched whole, a short demo_linger rule on
// people (vtest.avi has them walking about), fast retries.
type lingerEdge struct {
	ID, Dir          string // device id; its data_dir is Dir/edge
	GRPC, HTTP, RTSP string // the server's gRPC address, the edge's HTTP listen address, camsim
	TokenFile        string
	Post             string // clip post-roll, e.g. "2s"
	TLS              string // extra server: fields, e.g. `ca_file: "…", cert_file: …`; empty: insecure
	ExtraCameras     string // more entries of cameras:, indented as list items
}

// yaml is the configuration's text.
func (e lingerEdge) yaml(t *testing.T) string {
	t.Helper()
	server := "insecure: true"
	if e.TLS != "" {
		server = e.TLS
	}
	post := e.Post
	if post == "" {
		post = "2s"
	}
	return fmt.Sprintf(`device: {id: %s, data_dir: %q}
server: {address: %q, %s, token_file: %q, retry_min: 200ms, retry_max: 2s}
model: {manifest: %q}
http: {listen: %q}
cameras:
  - id: cam1
    url: rtsp://%s/cam1
    detect_fps: 2
    ring_buffer: 15s
    clip: {pre: 3s, post: %s}
    zones:
      - id: plaza
        polygon: [[0, 0], [1, 0], [1, 1], [0, 1]]
        rules:
          - {id: linger, type: demo_linger, classes: [person], min_score: 0.4, dwell: 4s, gap_tolerance: 2s, cooldown: 10m}
%s`, e.ID, filepath.Join(e.Dir, "edge"), e.GRPC, server, e.TokenFile, manifestPath(t), e.HTTP, e.RTSP, post, e.ExtraCameras)
}

// write writes the configuration to Dir/edge.yaml and returns its path.
func (e lingerEdge) write(t *testing.T) string {
	t.Helper()
	path := filepath.Join(e.Dir, "edge.yaml")
	writeFile(t, path, e.yaml(t))
	return path
}
