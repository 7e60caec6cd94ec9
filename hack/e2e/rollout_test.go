package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/internal/testdata"
)

// TestModelRollout is a canary rollout through the real binaries: a server
// with the model registry, two edges (edge-a and edge-b, one camsim camera
// each, both starting on YOLOX-Nano 0.1.1) filing violations. An admin
// uploads 0.1.2 (the same weights under a new version) through the API,
// makes a group of edge-a alone and rolls 0.1.2 out to it. Edge-a reports
// 0.1.2 active for its camera and its violations switch from 0.1.1 to 0.1.2
// at one point in time; edge-b is never sent the assignment and keeps
// filing 0.1.1. A rollout to a group of both then switches edge-b too.
// Last, a model edge-b must refuse (its model.expect_input pins 416×416;
// the model is 64×64) is rolled out to it: the refusal and its reason are
// visible in the API, the assignment is not tried again, and 0.1.2 keeps
// filing violations. The cameras stream throughout (edge /healthz).
func TestModelRollout(t *testing.T) {
	dir := t.TempDir()
	rtspAddr, httpAddr, grpcAddr := freeAddr(t), freeAddr(t), freeAddr(t)
	video := testdata.Path(t, "media", "vtest.avi")
	camsim := start(t, dir, "camsim", "-listen", rtspAddr, "-stream", "camA="+video, "-stream", "camB="+video)

	// Assignments carry a 2 s probation; unanswered ones go again after 2 s.
	server, base, tokenFile := startServer(t, dir, httpAddr, grpcAddr, "auth: {devices: token}\nmodels: {probation: 2s, resend: 2s}\n",
		nil, map[string][]string{"edge-a": {"camA"}, "edge-b": {"camB"}})

	manifest := manifestPath(t)
	startEdge := func(dev, cam, modelExtra string) (*proc, string) {
		edgeHTTP := freeAddr(t)
		cfg := filepath.Join(dir, dev+".yaml")
		writeFile(t, cfg, fmt.Sprintf(`device: {id: %s, data_dir: %q}
server: {address: %q, insecure: true, token_file: %q, retry_min: 200ms, retry_max: 2s, heartbeat_interval: 1s}
model: {manifest: %q, threads: 1, error_window: 4%s}
http: {listen: %q}
cameras:
  - id: %s
    url: rtsp://%s/%s
    detect_fps: 2
    zones:
      - id: plaza
        polygon: [[0, 0], [1, 0], [1, 1], [0, 1]]
        rules:
          - {id: linger, type: demo_linger, classes: [person], min_score: 0.4, dwell: 2s, gap_tolerance: 2s}
`, dev, filepath.Join(dir, dev), grpcAddr, tokenFile[dev], manifest, modelExtra, edgeHTTP, cam, rtspAddr, cam))
		p := start(t, dir, "edge", "-config", cfg)
		return p, "http://" + edgeHTTP + "/healthz"
	}
	edgeA, healthA := startEdge("edge-a", "camA", "")
	edgeB, healthB := startEdge("edge-b", "camB", ", expect_input: {width: 416, height: 416}")
	waitHTTP(t, edgeA, healthA)
	waitHTTP(t, edgeB, healthB)

	health := watchHealth(map[string]struct {
		URL     string
		Cameras []string
	}{"edge-a": {healthA, []string{"camA"}}, "edge-b": {healthB, []string{"camB"}}})
	defer health.stop()
	require.Eventually(t, func() bool { return health.allStreaming(2) }, 60*time.Second, 250*time.Millisecond,
		"camA on edge-a and camB on edge-b streaming (edge /healthz) within 60 s")

	const name, oldV, newV = "yolox-nano", "0.1.1", "0.1.2"
	require.Eventually(t, func() bool {
		return deviceModel(t, base, "edge-a").runsOn("camA", name, oldV, "MODEL_STATE_ACTIVE") &&
			deviceModel(t, base, "edge-b").runsOn("camB", name, oldV, "MODEL_STATE_ACTIVE")
	}, 60*time.Second, 500*time.Millisecond, "both edges reporting %s %s active for their camera (heartbeat model status) within 60 s", name, oldV)

	reports := newReportLog(base)
	require.Eventually(t, func() bool {
		reports.refresh(t, "")
		return len(reports.of("edge-a")) > 0 && len(reports.of("edge-b")) > 0
	}, 90*time.Second, time.Second, "a violation from each edge within 90 s")
	wantSHA := modelSHA(t, manifest)
	for _, dev := range []string{"edge-a", "edge-b"} {
		rs := reports.of(dev)
		require.Equal(t, []string{oldV}, versionsOf(rs), "%s before any rollout: %v", dev, rs)
		require.Equal(t, name, rs[0].Model.Name)
		require.Equal(t, wantSHA, rs[0].Model.SHA256, "the report names the model's sha256")
	}

	// The admin uploads 0.1.2: YOLOX-Nano's weights under a new version.
	root, err := testdata.RepoRoot()
	require.NoError(t, err)
	man, err := os.ReadFile(manifest)
	require.NoError(t, err)
	require.Contains(t, string(man), `version: "0.1.1"`)
	man = []byte(strings.Replace(string(man), `version: "0.1.1"`, `version: "0.1.2"`, 1))
	weights, err := os.ReadFile(testdata.Path(t, "models", "yolox_nano.onnx"))
	require.NoError(t, err)
	classes, err := os.ReadFile(filepath.Join(root, "models", "coco_classes.txt"))
	require.NoError(t, err)
	uploadModel(t, base, weights, man, classes)

	// Canary: a group of edge-a alone.
	postJSON(t, base+"/api/v1/groups", map[string]any{"name": "canary", "devices": []string{"edge-a"}}, http.StatusOK)
	canary := rollout(t, base, "canary", name, newV)
	t.Logf("canary rollout %s", canary)
	require.Eventually(t, func() bool {
		d := deviceModel(t, base, "edge-a")
		return d.runsOn("camA", name, newV, "MODEL_STATE_ACTIVE") && d.InSync && d.Status.AssignmentID == canary
	}, 90*time.Second, 500*time.Millisecond, "edge-a reporting %s %s active on camA under %s, past probation, within 90 s", name, newV, canary)

	// Edge-b was never told: no assignment for it, nothing fetched, still 0.1.1.
	b := deviceModel(t, base, "edge-b")
	require.Nil(t, b.Assignment, "edge-b is in no group yet")
	require.True(t, b.runsOn("camB", name, oldV, "MODEL_STATE_ACTIVE"), "edge-b status: %+v", b.Status)
	require.Empty(t, b.Status.AssignmentID)
	require.NoDirExists(t, filepath.Join(dir, "edge-b", "models", name, newV), "edge-b fetched the canary's model")
	require.Zero(t, assignmentsSent(server, "edge-b"), "the server sent edge-b a model assignment")
	require.Positive(t, assignmentsSent(server, "edge-a"))

	// Edge-a's violations switch once; edge-b's stay 0.1.1 after the switch.
	require.Eventually(t, func() bool {
		reports.refresh(t, "")
		firstNew, ok := firstOf(reports.of("edge-a"), newV)
		if !ok {
			return false
		}
		lastB, ok := lastOf(reports.of("edge-b"), oldV)
		return ok && lastB.ObservedAt.After(firstNew.ObservedAt)
	}, 90*time.Second, time.Second, "a %s violation from edge-a, then a %s one from edge-b, within 90 s", newV, oldV)
	ra := reports.of("edge-a")
	require.Equal(t, []string{oldV, newV}, versionsOf(ra), "edge-a's violations by observed_at switch model exactly once: %v", ra)
	require.Equal(t, []string{oldV}, versionsOf(reports.of("edge-b")), "edge-b's violations during the canary")
	last, _ := lastOf(ra, newV)
	require.Equal(t, wantSHA, last.Model.SHA256, "0.1.2 has 0.1.1's weights")

	// The wider rollout reaches edge-b; edge-a already runs it.
	postJSON(t, base+"/api/v1/groups", map[string]any{"name": "fleet", "devices": []string{"edge-a", "edge-b"}}, http.StatusOK)
	fleet := rollout(t, base, "fleet", name, newV)
	require.Eventually(t, func() bool {
		d := deviceModel(t, base, "edge-b")
		return d.runsOn("camB", name, newV, "MODEL_STATE_ACTIVE") && d.InSync && d.Status.AssignmentID == fleet
	}, 90*time.Second, 500*time.Millisecond, "edge-b reporting %s %s active on camB under %s within 90 s", name, newV, fleet)
	a := deviceModel(t, base, "edge-a")
	require.True(t, a.InSync && a.runsOn("camA", name, newV, "MODEL_STATE_ACTIVE"), "edge-a after the fleet rollout: %+v", a.Status)
	require.Eventually(t, func() bool {
		_, ok := firstOf(reports.refresh(t, "edge-b"), newV)
		return ok
	}, 90*time.Second, time.Second, "a %s violation from edge-b within 90 s", newV)
	rb := reports.of("edge-b")
	require.Equal(t, []string{oldV, newV}, versionsOf(rb), "edge-b's violations by observed_at switch model exactly once: %v", rb)
	require.Equal(t, []string{oldV, newV}, versionsOf(reports.of("edge-a")), "edge-a's violations")

	t.Run("refused", func(t *testing.T) {
		// A 64×64 model: the registry accepts it, edge-b's
		// model.expect_input (416×416) refuses it before loading it.
		tiny := tinyModel()
		uploadModel(t, base, tiny, fmt.Appendf(nil, tinyManifest, "1", sha256Hex(tiny)), nil)
		postJSON(t, base+"/api/v1/groups", map[string]any{"name": "b-only", "devices": []string{"edge-b"}}, http.StatusOK)
		refused := rollout(t, base, "b-only", "tiny", "1")
		var d *apiDeviceModel
		require.Eventually(t, func() bool {
			d = deviceModel(t, base, "edge-b")
			// The cameras come with the next heartbeat: a ModelStatus
			// sent on its own carries none.
			return d != nil && d.Status != nil && d.Status.LastFailure != nil && d.Status.LastFailure.AssignmentID == refused &&
				d.runsOn("camB", name, newV, "MODEL_STATE_FAILED")
		}, 90*time.Second, 500*time.Millisecond, "edge-b's refusal of %s recorded by the server, camB still on %s %s, within 90 s", refused, name, newV)
		at := time.Now()
		f := d.Status.LastFailure
		require.Equal(t, "MODEL_STATE_FAILED", f.State)
		require.Equal(t, "tiny", f.Target.Name)
		require.Contains(t, f.Reason, "model input is 64x64 but model.expect_input pins 416x416")
		require.Equal(t, "MODEL_STATE_FAILED", d.Status.State)
		require.Contains(t, d.Status.Reason, "expect_input")
		require.False(t, d.InSync)
		require.Equal(t, "tiny", d.Assignment.Name)
		require.True(t, d.Status.Running.Name == name && d.Status.Running.Version == newV, "edge-b runs %s", d.Status.Running)

		// The old model keeps filing violations; the refused one never ran.
		require.Eventually(t, func() bool {
			l, ok := lastOf(reports.refresh(t, "edge-b"), newV)
			return ok && l.ObservedAt.After(at)
		}, 90*time.Second, time.Second, "a %s violation from edge-b after the refusal, within 90 s", newV)
		require.Equal(t, []string{oldV, newV}, versionsOf(reports.of("edge-b")))
		// Refused once: the server does not send it again, and when it
		// had (a resend before the status arrived), the edge answered
		// from memory rather than trying again.
		require.Equal(t, 1, strings.Count(edgeB.output(), "model refused; the running model is untouched"), "edge-b tried the refused model more than once")
		require.True(t, deviceModel(t, base, "edge-b").Status.LastFailure.AssignmentID == refused)
	})

	for _, dev := range []string{"edge-a", "edge-b"} {
		n := map[string]int{}
		for _, r := range reports.of(dev) {
			n[r.Model.Name+" "+r.Model.Version]++
		}
		t.Logf("%s: violations by model %v", dev, n)
	}
	lapses, polls := health.stop()
	t.Logf("healthz: %d polls, %d lapses", polls, len(lapses))
	require.Empty(t, lapses, "a camera stopped streaming during the rollouts (%d polls)", polls)
	require.Greater(t, polls, 20)

	for _, p := range []*proc{edgeA, edgeB, server, camsim} {
		require.NoError(t, p.stop(t), "%s did not exit cleanly:\n%s", p.name, p.output())
	}
}

// rollout posts a rollout and returns its assignment id.
func rollout(t *testing.T, base, group, name, version string) string {
	t.Helper()
	body := postJSON(t, base+"/api/v1/rollouts", map[string]string{"group": group, "name": name, "version": version}, http.StatusCreated)
	var r struct {
		AssignmentID string `json:"assignment_id"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &r), "%s", body)
	require.NotEmpty(t, r.AssignmentID, "rollout answer without assignment_id: %s", body)
	return r.AssignmentID
}

// assignmentsSent counts the server's "model assignment" log lines for
// device.
func assignmentsSent(server *proc, device string) int {
	n := 0
	for line := range strings.SplitSeq(server.output(), "\n") {
		if strings.Contains(line, `msg="model assignment"`) && strings.Contains(line, "device_id="+device+" ") {
			n++
		}
	}
	return n
}

// firstOf is the oldest report of version.
func firstOf(rs []rolloutReport, version string) (rolloutReport, bool) {
	for _, r := range rs {
		if r.Model.Version == version {
			return r, true
		}
	}
	return rolloutReport{}, false
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// modelSHA is the sha256 a manifest states.
func modelSHA(t *testing.T, manifest string) string {
	t.Helper()
	b, err := os.ReadFile(manifest)
	require.NoError(t, err)
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "sha256: "); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("no sha256 in %s", manifest)
	return ""
}
