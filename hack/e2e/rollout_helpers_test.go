package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	neturl "net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/internal/onnxbuild"
)

// The model registry's slice of the API the rollout test reads, decoded
// here independently of server/web.

type apiModelRef struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	SHA256  string `json:"sha256"`
}

func (r apiModelRef) String() string { return r.Name + " " + r.Version }

type apiDeviceModel struct {
	DeviceID   string `json:"device_id"`
	Assignment *struct {
		AssignmentID string `json:"assignment_id"`
		Group        string `json:"group"`
		Name         string `json:"name"`
		Version      string `json:"version"`
		SHA256       string `json:"sha256"`
	} `json:"assignment"`
	Status *struct {
		State        string      `json:"state"`
		Running      apiModelRef `json:"running"`
		Target       apiModelRef `json:"target"`
		AssignmentID string      `json:"assignment_id"`
		Reason       string      `json:"reason"`
		Cameras      []struct {
			CameraID string      `json:"camera_id"`
			Model    apiModelRef `json:"model"`
		} `json:"cameras"`
		LastFailure *struct {
			State        string      `json:"state"`
			Target       apiModelRef `json:"target"`
			AssignmentID string      `json:"assignment_id"`
			Reason       string      `json:"reason"`
		} `json:"last_failure"`
	} `json:"status"`
	InSync bool `json:"in_sync"`
}

// runsOn reports whether the device says it runs name version on camera,
// in the given state (e.g. MODEL_STATE_ACTIVE).
func (d *apiDeviceModel) runsOn(camera, name, version, state string) bool {
	if d == nil || d.Status == nil || d.Status.State != state ||
		d.Status.Running.Name != name || d.Status.Running.Version != version {
		return false
	}
	for _, c := range d.Status.Cameras {
		if c.CameraID == camera {
			return c.Model.Name == name && c.Model.Version == version
		}
	}
	return false
}

// deviceModel is GET /api/v1/devices/{id}/model; nil when the server knows
// nothing of the device's model yet (404).
func deviceModel(t *testing.T, base, id string) *apiDeviceModel {
	t.Helper()
	resp, err := authGet(t, base+"/api/v1/devices/"+id+"/model")
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	if resp.StatusCode == http.StatusNotFound {
		return nil
	}
	require.Equal(t, http.StatusOK, resp.StatusCode, "GET device model %s: %s", id, body)
	var d apiDeviceModel
	require.NoError(t, json.Unmarshal(body, &d), "%s", body)
	return &d
}

// apiDo sends a request with the API token of base's server and returns
// the status and body.
func apiDo(t *testing.T, method, url, contentType string, body io.Reader) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	require.NoError(t, err)
	req.Header.Set("Content-Type", contentType)
	if u, err := neturl.Parse(url); err == nil {
		if tok, ok := apiTokens.Load(u.Host); ok {
			req.Header.Set("Authorization", "Bearer "+tok.(string))
		}
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// postJSON posts v as JSON and requires want as the status.
func postJSON(t *testing.T, url string, v any, want int) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	code, body := apiDo(t, http.MethodPost, url, "application/json", bytes.NewReader(b))
	require.Equal(t, want, code, "POST %s %s: %s", url, b, body)
	return body
}

// uploadModel posts a model to the registry (multipart parts onnx,
// manifest and, when not nil, classes) and requires 201 Created.
func uploadModel(t *testing.T, base string, onnx, manifest, classes []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, p := range []struct {
		field, file string
		data        []byte
	}{{"onnx", "model.onnx", onnx}, {"manifest", "manifest.yaml", manifest}, {"classes", "classes.txt", classes}} {
		if p.data == nil {
			continue
		}
		w, err := mw.CreateFormFile(p.field, p.file)
		require.NoError(t, err)
		_, err = w.Write(p.data)
		require.NoError(t, err)
	}
	require.NoError(t, mw.Close())
	code, body := apiDo(t, http.MethodPost, base+"/api/v1/models", mw.FormDataContentType(), &buf)
	require.Equal(t, http.StatusCreated, code, "model upload refused: %s", body)
}

// rolloutReport is a report as the case API lists it, with the model that
// produced its detections.
type rolloutReport struct {
	EventID    string      `json:"event_id"`
	DeviceID   string      `json:"device_id"`
	CameraID   string      `json:"camera_id"`
	ObservedAt time.Time   `json:"observed_at"`
	Model      apiModelRef `json:"model"`
}

// reportLog gathers every report the server holds, reading a case's
// reports again only when its report count changed.
type reportLog struct {
	base    string
	counts  map[string]int
	reports map[string]rolloutReport // by event id
}

func newReportLog(base string) *reportLog {
	return &reportLog{base: base, counts: map[string]int{}, reports: map[string]rolloutReport{}}
}

// refresh reads new reports and returns those of device, oldest first.
func (l *reportLog) refresh(t *testing.T, device string) []rolloutReport {
	t.Helper()
	for _, c := range allCases(t, l.base) {
		if l.counts[c.ID] == c.ReportCount {
			continue
		}
		var d struct {
			Reports []rolloutReport `json:"reports"`
		}
		getJSON(t, l.base+"/api/v1/cases/"+c.ID, &d)
		for _, r := range d.Reports {
			l.reports[r.EventID] = r
		}
		l.counts[c.ID] = c.ReportCount
	}
	return l.of(device)
}

// of returns the reports already read of device, oldest first.
func (l *reportLog) of(device string) []rolloutReport {
	var out []rolloutReport
	for _, r := range l.reports {
		if r.DeviceID == device {
			out = append(out, r)
		}
	}
	sortReports(out)
	return out
}

func sortReports(rs []rolloutReport) {
	for i := 1; i < len(rs); i++ {
		for j := i; j > 0 && rs[j].ObservedAt.Before(rs[j-1].ObservedAt); j-- {
			rs[j], rs[j-1] = rs[j-1], rs[j]
		}
	}
}

// versionsOf lists the model versions of reports in observed order,
// consecutive repeats collapsed: ["0.1.1", "0.1.2"] is one switch.
func versionsOf(rs []rolloutReport) []string {
	var out []string
	for _, r := range rs {
		if len(out) == 0 || out[len(out)-1] != r.Model.Version {
			out = append(out, r.Model.Version)
		}
	}
	return out
}

// lastOf is the newest report of version, or the zero report.
func lastOf(rs []rolloutReport, version string) (rolloutReport, bool) {
	for i := len(rs) - 1; i >= 0; i-- {
		if rs[i].Model.Version == version {
			return rs[i], true
		}
	}
	return rolloutReport{}, false
}

// healthWatch polls edges' /healthz while it runs and records every time a
// camera that had been streaming was seen in another state.
type healthWatch struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu        sync.Mutex
	streaming map[string]bool // "edge camera" seen streaming
	lapses    []string
	polls     int
}

// watchHealth starts polling url (an edge's /healthz) for each of cameras
// (edge name → healthz URL and camera ids) every 250 ms.
func watchHealth(edges map[string]struct {
	URL     string
	Cameras []string
}) *healthWatch {
	ctx, cancel := context.WithCancel(context.Background())
	h := &healthWatch{cancel: cancel, streaming: map[string]bool{}}
	for name, e := range edges {
		h.wg.Go(func() {
			tick := time.NewTicker(250 * time.Millisecond)
			defer tick.Stop()
			for {
				h.poll(ctx, name, e.URL, e.Cameras)
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
				}
			}
		})
	}
	return h
}

func (h *healthWatch) poll(ctx context.Context, name, url string, cams []string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		if ctx.Err() == nil {
			h.lapse(name, "", fmt.Sprintf("healthz unreachable: %v", err))
		}
		return
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	states := map[string]string{}
	for line := range strings.SplitSeq(strings.TrimSpace(string(body)), "\n") {
		if f := strings.Fields(line); len(f) >= 2 {
			states[f[0]] = strings.Join(f[1:], " ")
		}
	}
	h.mu.Lock()
	h.polls++
	h.mu.Unlock()
	for _, c := range cams {
		st := states[c]
		if strings.HasPrefix(st, "streaming") {
			h.mu.Lock()
			h.streaming[name+" "+c] = true
			h.mu.Unlock()
			continue
		}
		h.lapse(name, c, st)
	}
}

// lapse records a non-streaming state of a camera that had streamed (or
// of the whole edge, camera "", once anything had).
func (h *healthWatch) lapse(name, camera, state string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	seen := h.streaming[name+" "+camera]
	if camera == "" {
		for k := range h.streaming {
			seen = seen || strings.HasPrefix(k, name+" ")
		}
	}
	if seen {
		h.lapses = append(h.lapses, fmt.Sprintf("%s %s %s: %q", time.Now().Format("15:04:05.000"), name, camera, state))
	}
}

// allStreaming reports whether every watched camera has streamed.
func (h *healthWatch) allStreaming(n int) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.streaming) == n
}

// stop ends the polling and returns the lapses and the number of polls.
func (h *healthWatch) stop() ([]string, int) {
	h.cancel()
	h.wg.Wait()
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.lapses, h.polls
}

// A tiny model for the refusal: internal/onnxbuild's constant 64×64
// nms_free model, as server/models' tests upload, so that the e2e test
// needs no second set of weights.

const tinyManifest = `name: tiny
version: "%s"
onnx: tiny.onnx
sha256: %s
family: nms_free
input: {width: 64, height: 64, layout: NCHW, channel_order: RGB, scale: 0.00392156862745098, mean: [0, 0, 0], std: [1, 1, 1], pad_value: 0}
classes: [a, b, c]
score_threshold: 0.3
nms_iou: 0.45
max_detections: 10
`

// tinyModel gives four finite boxes, [1, 4, 6] = 0, 1, … 23, whatever
// the image.
func tinyModel() []byte {
	base := make([]float32, 24)
	for i := range base {
		base[i] = float32(i)
	}
	return onnxbuild.Constant(64, 64, []int64{1, 4, 6}, base)
}
