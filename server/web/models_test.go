package web

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/internal/testdata"
	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/models"
)

// modelsEnv is the web env with a real registry over its store.
func modelsEnv(t *testing.T) *env {
	t.Helper()
	return newEnvWith(t, func(o *Options) {
		st := o.Store.(interface {
			models.Store
			models.ExportStore
		})
		reg, err := models.New(models.Options{Store: st, Dir: filepath.Join(t.TempDir(), "models"), MaxBytes: 16 << 20,
			ReferenceImage: testdata.Path(t, "images", "000000000139.jpg")})
		require.NoError(t, err)
		o.Models = &ModelOptions{Registry: reg, Export: st, MaxUploadBytes: 16 << 20}
	}, nil)
}

// realModelForm is the multipart body of the project's YOLOX-Nano upload.
func realModelForm(t *testing.T, edit func(manifest []byte) []byte, extra map[string]string) (string, *bytes.Buffer) {
	t.Helper()
	root, err := testdata.RepoRoot()
	require.NoError(t, err)
	man, err := os.ReadFile(filepath.Join(root, "models", "yolox-nano.yaml"))
	require.NoError(t, err)
	if edit != nil {
		man = edit(man)
	}
	classes, err := os.ReadFile(filepath.Join(root, "models", "coco_classes.txt"))
	require.NoError(t, err)
	onnx, err := os.ReadFile(testdata.Path(t, "models", "yolox_nano.onnx"))
	require.NoError(t, err)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range extra {
		require.NoError(t, mw.WriteField(k, v))
	}
	for _, p := range []struct {
		name string
		data []byte
	}{{"manifest", man}, {"classes", classes}, {"onnx", onnx}} {
		w, err := mw.CreateFormFile(p.name, p.name)
		require.NoError(t, err)
		_, err = w.Write(p.data)
		require.NoError(t, err)
	}
	require.NoError(t, mw.Close())
	return mw.FormDataContentType(), &body
}

func TestModelsAPI(t *testing.T) {
	e := modelsEnv(t)

	// Only an admin may upload.
	ct, body := realModelForm(t, nil, nil)
	resp, b := e.postAs(t, cases.RoleReviewer, "/api/v1/models", ct, body.String())
	require.Equal(t, http.StatusForbidden, resp.StatusCode, "%s", b)

	// A manifest that says 320 for a 416 model: 422 naming the check.
	ct, body = realModelForm(t, func(m []byte) []byte { return bytes.ReplaceAll(m, []byte("416"), []byte("320")) }, nil)
	resp, b = e.post(t, "/api/v1/models", ct, body.String())
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode, "%s", b)
	var ue UploadErrorJSON
	require.NoError(t, json.Unmarshal(b, &ue))
	require.Equal(t, models.CheckInput, ue.Check)
	require.Contains(t, ue.Error, "wants [1 3 320 320]")

	ct, body = realModelForm(t, nil, nil)
	resp, b = e.post(t, "/api/v1/models", ct, body.String())
	require.Equal(t, http.StatusCreated, resp.StatusCode, "%s", b)
	var v ModelVersionJSON
	require.NoError(t, json.Unmarshal(b, &v))
	require.Equal(t, "yolox-nano", v.Name)
	require.Equal(t, "695e750a5d5754bb5a8d5325643b59282191a7e7a564e435a415fd3c578eab14", v.SHA256)
	require.Equal(t, "token:admin-bot", v.UploadedBy)
	ct, body = realModelForm(t, nil, nil)
	resp, _ = e.post(t, "/api/v1/models", ct, body.String())
	require.Equal(t, http.StatusOK, resp.StatusCode, "the same bytes again")

	// Groups and rollouts; unknown names are 404 saying which.
	resp, b = e.post(t, "/api/v1/groups", "application/json", `{"name":"canary","devices":["edge-a"]}`)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", b)
	resp, b = e.post(t, "/api/v1/rollouts", "application/json", `{"group":"nope","name":"yolox-nano","version":"0.1.1"}`)
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	require.Contains(t, string(b), `device group \"nope\" not found`)
	resp, b = e.post(t, "/api/v1/rollouts", "application/json", `{"group":"canary","name":"yolox-nano","version":"9"}`)
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	require.Contains(t, string(b), "model yolox-nano version 9 not found")
	resp, b = e.post(t, "/api/v1/rollouts", "application/json", `{"group":"canary","name":"yolox-nano","version":"0.1.1"}`)
	require.Equal(t, http.StatusCreated, resp.StatusCode, "%s", b)
	var ro RolloutJSON
	require.NoError(t, json.Unmarshal(b, &ro))
	require.Equal(t, models.AssignmentID(ro.ID), ro.AssignmentID)

	resp, b = e.get(t, "/api/v1/devices/edge-a/model")
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", b)
	var dm DeviceModelJSON
	require.NoError(t, json.Unmarshal(b, &dm))
	require.Equal(t, "0.1.1", dm.Assignment.Version)
	require.Nil(t, dm.Status)
	require.False(t, dm.InSync)
	resp, _ = e.get(t, "/api/v1/devices/edge-z/model")
	require.Equal(t, http.StatusNotFound, resp.StatusCode)

	resp, b = e.get(t, "/api/v1/models")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var all ModelsJSON
	require.NoError(t, json.Unmarshal(b, &all))
	require.Len(t, all.Versions, 1)
	require.Len(t, all.Groups, 1)
	require.Len(t, all.Rollouts, 1)
	require.Len(t, all.Devices, 1)

	// An empty dataset is still a valid zip with its data.yaml.
	resp, b = e.get(t, "/api/v1/export/dataset?format=yolo")
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", b)
	require.Equal(t, "application/zip", resp.Header.Get("Content-Type"))
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	require.NoError(t, err)
	names := []string{}
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	require.Contains(t, names, "data.yaml")
	resp, _ = e.get(t, "/api/v1/export/dataset?format=voc")
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
}

// TestModelsPage: the admin page lists what the registry holds, and its
// multipart upload form works with the session's CSRF token, and only
// with it.
func TestModelsPage(t *testing.T) {
	e := modelsEnv(t)
	b := e.signIn(t, "ops", cases.RoleAdmin)

	upload := func(csrf string) *http.Response {
		ct, body := realModelForm(t, nil, map[string]string{CSRFField: csrf})
		req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/models/upload", body)
		require.NoError(t, err)
		req.Header.Set("Content-Type", ct)
		resp, err := b.c.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp
	}
	resp := upload("forged")
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	resp = upload(b.csrf)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	loc, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)
	require.Contains(t, loc.Query().Get("msg"), "yolox-nano 0.1.1 已接收", "in the officer's language, Chinese by default")

	resp, err = b.c.PostForm(e.srv.URL+"/models/groups", url.Values{CSRFField: {b.csrf}, "name": {"canary"}, "devices": {"edge-a, edge-b"}})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	resp, err = b.c.PostForm(e.srv.URL+"/models/rollouts", url.Values{CSRFField: {b.csrf}, "group": {"canary"}, "model": {"yolox-nano@0.1.1"}})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.NotContains(t, resp.Header.Get("Location"), "err=1")

	resp, err = b.c.Get(e.srv.URL + "/models")
	require.NoError(t, err)
	page, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	for _, want := range []string{"yolox-nano", "0.1.1", "695e750a5d57", "canary", "edge-a, edge-b", "rollout-1", `action="/models/upload"`,
		"<h2>模型管理</h2>", "<h3>设备组</h3>", "上传并检查", "不超过 16 MiB", `<a href="/models" aria-current="page">模型</a>`} {
		require.Contains(t, string(page), want)
	}
	require.NotContains(t, string(page), "Device groups", "no English on the Chinese page")

	// The language switch covers the page and its messages: in English
	// not one Chinese character is left.
	resp, err = b.c.Get(e.srv.URL + "/models?lang=en")
	require.NoError(t, err)
	page, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	for _, want := range []string{"<h2>Models</h2>", "<h3>Device groups</h3>", "Upload and check", "At most 16 MiB", "canary"} {
		require.Contains(t, string(page), want)
	}
	page = bytes.Replace(page, []byte(`hreflang="zh-CN">中文</a>`), nil, 1) // the switch back is named in its own language
	require.False(t, regexp.MustCompile(`\p{Han}`).Match(page), "Chinese left on the English page: %s", regexp.MustCompile(`[^<>]*\p{Han}[^<>]*`).Find(page))
	resp, err = b.c.PostForm(e.srv.URL+"/models/rollouts", url.Values{CSRFField: {b.csrf}, "group": {"nope"}, "model": {"yolox-nano@0.1.1"}})
	require.NoError(t, err)
	resp.Body.Close()
	loc, err = url.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)
	require.Equal(t, "1", loc.Query().Get("err"))
	require.Contains(t, loc.Query().Get("msg"), `Not rolled out: device group "nope" not found`, "the remembered language")

	// Other roles get no page.
	r := e.signIn(t, "rev", cases.RoleReviewer)
	resp, err = r.c.Get(e.srv.URL + "/models")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
}
