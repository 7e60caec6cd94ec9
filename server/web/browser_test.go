package web

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/internal/browsertest"
	"github.com/xiuhua/xiuhua/internal/testdata"
	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/store"
)

const browserPassword = "correct horse battery"

// TestBrowserWorkflow runs hack/browser/web.mjs in headless Chromium against
// this package's handler on SQLite with seeded cases: every officer step,
// the bad input of the issue, live updates, map, statistics and languages.
// Screenshots go to hack/browser/artefacts/web (or $XIUHUA_ARTEFACTS/web).
func TestBrowserWorkflow(t *testing.T) {
	browsertest.Check(t)
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	e := newEnvWith(t, func(o *Options) { o.MaxAttachmentBytes = 1 << 20; o.Location = shanghai }, browserTestRoutes)
	ctx := context.Background()
	for name, role := range map[string]string{"li": cases.RoleReviewer, "chen": cases.RoleReviewer,
		"wang": cases.RoleDispatcher, "zhao": cases.RoleHandler} {
		require.NoError(t, e.auth.AddUser(ctx, name, role, browserPassword))
	}
	jpeg, err := os.ReadFile(testdata.Path(t, "images", "000000001503.jpg"))
	require.NoError(t, err)
	jpeg2, err := os.ReadFile(testdata.Path(t, "images", "000000005193.jpg"))
	require.NoError(t, err)

	files := func(tag string) []store.Evidence {
		return []store.Evidence{
			e.put(t, "snapshot.jpg", store.KindSnapshot, "image/jpeg", jpeg),
			e.put(t, "annotated.jpg", store.KindAnnotated, "image/jpeg", jpeg2),
			e.put(t, "clip.mp4", store.KindClip, "video/mp4", []byte("not really a video "+tag)),
			e.put(t, "before_after.jpg", store.KindBeforeAfter, "image/jpeg", jpeg),
		}
	}
	seed := func(tag string) string {
		return e.addCase(t, "browser-"+tag, func(r *store.Report) {
			r.ObservedAt = time.Now()
			r.CameraID = "cam-" + tag
			r.DwellSeconds = 420
			r.Location = &store.GeoPoint{Lat: 31.2305, Lon: 121.4705}
			r.Model = store.ModelRef{Name: "yolox_nano", Version: "1", SHA256: "695e750a5d5754bb5a8d5325643b59282191a7e7a564e435a415fd3c578eab14"}
			r.Detections = []store.Detection{{ClassName: "umbrella", Score: 0.91, Width: 10, Height: 10}, {ClassName: "chair", Score: 0.55, Width: 5, Height: 5}}
		}, files(tag)...)
	}
	move := func(id string, steps ...string) {
		for _, to := range steps {
			d, err := e.store.GetCase(ctx, id)
			require.NoError(t, err)
			_, err = e.cases.Transition(ctx, cases.Request{CaseID: id, To: to, Version: d.Version, Actor: "seed", Role: cases.RoleAdmin, Comment: "seed"})
			require.NoError(t, err)
		}
	}
	c := map[string]string{}
	for _, tag := range []string{"keys", "reject", "dbl", "race", "dispatch", "report", "reopen", "ai", "overdue", "newest"} {
		c[tag] = seed(tag)
	}
	move(c["dispatch"], cases.StatusFiled)
	move(c["report"], cases.StatusFiled, cases.StatusDispatched, cases.StatusHandling)
	move(c["reopen"], cases.StatusFiled, cases.StatusDispatched, cases.StatusHandling, cases.StatusReported)
	move(c["ai"], cases.StatusFiled, cases.StatusDispatched, cases.StatusHandling, cases.StatusReported)
	// The AI re-check's step, as the re-check writes it: a fresh snapshot
	// attached.
	shot := e.put(t, "", store.KindAttachment, "image/jpeg", jpeg)
	require.NoError(t, e.store.Transition(ctx, store.Transition{CaseID: c["ai"], Version: 5, From: cases.StatusReported, To: cases.StatusVerified,
		Actor: RecheckActor, Role: "system", Action: "verify", Comment: "AI re-check: absent", At: time.Now(), Attachment: &shot}))
	// Filed three hours ago: past the one-hour deadline.
	require.NoError(t, e.store.Transition(ctx, store.Transition{CaseID: c["overdue"], Version: 1, From: cases.StatusPendingReview, To: cases.StatusFiled,
		Actor: "seed", Role: cases.RoleAdmin, Action: "file", At: time.Now().Add(-3 * time.Hour)}))

	dir := t.TempDir()
	f := map[string]string{"photo": filepath.Join(dir, "photo.jpg"), "big": filepath.Join(dir, "big.png"), "notImage": filepath.Join(dir, "notes.txt")}
	require.NoError(t, os.WriteFile(f["photo"], jpeg, 0o600))
	require.NoError(t, os.WriteFile(f["notImage"], []byte("not a picture, a note\n"), 0o600))
	require.NoError(t, os.WriteFile(f["big"], noisePNG(t, 800), 0o600))

	cj, _ := json.Marshal(c)
	fj, _ := json.Marshal(f)
	browsertest.Run(t, "web", 5*time.Minute, map[string]string{
		"XIUHUA_BASE_URL": e.srv.URL,
		"XIUHUA_PASSWORD": browserPassword,
		"XIUHUA_CASES":    string(cj),
		"XIUHUA_FILES":    string(fj),
	})

	// What the browser did is in the database.
	for tag, want := range map[string]string{"keys": cases.StatusFiled, "reject": cases.StatusRejected, "dbl": cases.StatusFiled,
		"race": cases.StatusFiled, "dispatch": cases.StatusReported, "report": cases.StatusVerified, "reopen": cases.StatusHandling} {
		d, err := e.store.GetCase(ctx, c[tag])
		require.NoError(t, err)
		require.Equal(t, want, d.Status, tag)
	}
	d, err := e.store.GetCase(ctx, c["dispatch"])
	require.NoError(t, err)
	require.Equal(t, "zhao", d.Assignee, "dispatched to zhao from the page")
	require.Equal(t, "南京东路街道城管中队", d.Unit)
}

// browserTestRoutes adds the spec's test-only controls: make a case (for
// live updates) and expire every session.
func browserTestRoutes(e *env, h http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", h)
	mux.HandleFunc("POST /test/new-case", func(w http.ResponseWriter, r *http.Request) {
		// A camera of its own: a report of the same place would join the
		// case the last call opened rather than open a new one.
		stamp := time.Now().Format(time.RFC3339Nano)
		rep := &store.Report{EventID: "browser-live-" + stamp, DeviceID: "edge-01", CameraID: "cam-live-" + stamp,
			ViolationType: "outside_store", ObservedAt: time.Now(), Location: &store.GeoPoint{Lat: 31.2305, Lon: 121.4715}}
		id, _, err := e.store.SaveReport(r.Context(), rep, e.cases.Assign)
		if err != nil {
			writeError(w, http.StatusInternalServerError, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"id": id})
	})
	mux.HandleFunc("POST /test/expire-sessions", func(w http.ResponseWriter, r *http.Request) {
		e.clock.Add(int64(2 * time.Hour))
		writeJSON(w, http.StatusOK, map[string]string{})
	})
	return mux
}

// noisePNG is a picture that does not compress: about 4·size² bytes.
func noisePNG(t *testing.T, size int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	rng := rand.New(rand.NewPCG(1, 2))
	for y := range size {
		for x := range size {
			img.Set(x, y, color.RGBA{uint8(rng.Uint32()), uint8(rng.Uint32()), uint8(rng.Uint32()), 255})
		}
	}
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, img))
	return buf.Bytes()
}
