package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/xiuhua/xiuhua/server/auth"
	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/models"
	"github.com/xiuhua/xiuhua/server/store"
)

// ModelOptions is the web side of the model registry.
type ModelOptions struct {
	Registry *models.Registry
	// Export reads the reports a dataset export labels; their snapshots
	// come from Options.Blobs.
	Export models.ExportStore
	// MaxUploadBytes bounds an upload's ONNX file (models.max_upload_bytes).
	MaxUploadBytes int64
	Metrics        *models.Metrics
}

var modelsTemplate = pageTemplate("models.html")

// multipartSlack is what an upload's manifest, classes file and form
// fields may add to the ONNX file's bound.
const multipartSlack = 3 * models.MaxManifestBytes

// ModelVersionJSON is a registry version in the API.
type ModelVersionJSON struct {
	Name        string    `json:"name"`
	Version     string    `json:"version"`
	SHA256      string    `json:"sha256"`
	Size        int64     `json:"size"`
	Family      string    `json:"family"`
	InputWidth  int       `json:"input_width"`
	InputHeight int       `json:"input_height"`
	Classes     []string  `json:"classes"`
	UploadedBy  string    `json:"uploaded_by"`
	CreatedAt   time.Time `json:"created_at"`
}

// GroupJSON is a device group.
type GroupJSON struct {
	Name    string   `json:"name"`
	Devices []string `json:"devices"`
}

// RolloutJSON is a rollout; POST /api/v1/rollouts takes group, name and
// version.
type RolloutJSON struct {
	ID           int64     `json:"id,omitempty"`
	AssignmentID string    `json:"assignment_id,omitempty"`
	Group        string    `json:"group"`
	Name         string    `json:"name"`
	Version      string    `json:"version"`
	SHA256       string    `json:"sha256,omitempty"`
	CreatedBy    string    `json:"created_by,omitempty"`
	CreatedAt    time.Time `json:"created_at,omitzero"`
}

// CameraModelJSON is what one camera runs.
type CameraModelJSON struct {
	CameraID string    `json:"camera_id"`
	Model    ModelJSON `json:"model"`
}

// ModelFailureJSON is the last model an edge rolled back or failed to install.
type ModelFailureJSON struct {
	State        string    `json:"state"`
	Target       ModelJSON `json:"target"`
	AssignmentID string    `json:"assignment_id"`
	Reason       string    `json:"reason"`
	At           time.Time `json:"at"`
}

// ModelStatusJSON is what a device last reported.
type ModelStatusJSON struct {
	State        string            `json:"state"`
	Running      ModelJSON         `json:"running"`
	Target       ModelJSON         `json:"target"`
	AssignmentID string            `json:"assignment_id"`
	Reason       string            `json:"reason"`
	ChangedAt    time.Time         `json:"changed_at,omitzero"`
	Cameras      []CameraModelJSON `json:"cameras"`
	LastFailure  *ModelFailureJSON `json:"last_failure"`
	UpdatedAt    time.Time         `json:"updated_at"`
}

// DeviceModelJSON is GET /api/v1/devices/{id}/model: what the device should
// run, what it reports, and whether the two agree.
type DeviceModelJSON struct {
	DeviceID   string           `json:"device_id"`
	Assignment *RolloutJSON     `json:"assignment"`
	Status     *ModelStatusJSON `json:"status"`
	InSync     bool             `json:"in_sync"`
}

// ModelsJSON is GET /api/v1/models.
type ModelsJSON struct {
	Versions []ModelVersionJSON `json:"versions"`
	Groups   []GroupJSON        `json:"groups"`
	Rollouts []RolloutJSON      `json:"rollouts"`
	Devices  []DeviceModelJSON  `json:"devices"`
}

// UploadErrorJSON is a refused upload: which check failed and why.
type UploadErrorJSON struct {
	Error string `json:"error"`
	Check string `json:"check,omitempty"`
}

func refJSON(r store.ModelRef) ModelJSON {
	return ModelJSON{Name: r.Name, Version: r.Version, SHA256: r.SHA256}
}

func versionJSON(v store.ModelVersion) ModelVersionJSON {
	return ModelVersionJSON{Name: v.Name, Version: v.Version, SHA256: v.SHA256, Size: v.Size, Family: v.Family,
		InputWidth: v.InputWidth, InputHeight: v.InputHeight, Classes: v.Classes, UploadedBy: v.UploadedBy, CreatedAt: v.CreatedAt}
}

func rolloutJSON(r store.Rollout) RolloutJSON {
	return RolloutJSON{ID: r.ID, AssignmentID: models.AssignmentID(r.ID), Group: r.Group, Name: r.Name, Version: r.Version,
		SHA256: r.SHA256, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt}
}

func deviceJSON(d models.DeviceState) DeviceModelJSON {
	out := DeviceModelJSON{DeviceID: d.DeviceID, InSync: d.InSync()}
	if d.Assignment != nil {
		a := rolloutJSON(*d.Assignment)
		out.Assignment = &a
	}
	if s := d.Status; s != nil {
		st := &ModelStatusJSON{State: s.State, Running: refJSON(s.Running), Target: refJSON(s.Target),
			AssignmentID: s.AssignmentID, Reason: s.Reason, ChangedAt: s.ChangedAt, Cameras: []CameraModelJSON{},
			UpdatedAt: s.UpdatedAt}
		for _, c := range s.Cameras {
			st.Cameras = append(st.Cameras, CameraModelJSON{CameraID: c.CameraID, Model: refJSON(c.Model)})
		}
		if f := s.LastFailure; f != nil {
			st.LastFailure = &ModelFailureJSON{State: f.State, Target: refJSON(f.Target), AssignmentID: f.AssignmentID,
				Reason: f.Reason, At: f.At}
		}
		out.Status = st
	}
	return out
}

func overviewJSON(o *models.Overview) ModelsJSON {
	out := ModelsJSON{Versions: []ModelVersionJSON{}, Groups: []GroupJSON{}, Rollouts: []RolloutJSON{}, Devices: []DeviceModelJSON{}}
	for _, v := range o.Versions {
		out.Versions = append(out.Versions, versionJSON(v))
	}
	for _, g := range o.Groups {
		out.Groups = append(out.Groups, GroupJSON{Name: g.Name, Devices: g.Devices})
	}
	for _, r := range o.Rollouts {
		out.Rollouts = append(out.Rollouts, rolloutJSON(r))
	}
	for _, d := range o.Devices {
		out.Devices = append(out.Devices, deviceJSON(d))
	}
	return out
}

// modelAdmin checks that the registry is configured and the caller is an
// admin; otherwise it answers and returns false.
func (s *server) modelAdmin(w http.ResponseWriter, r *http.Request) bool {
	if s.opts.Models == nil || s.opts.Models.Registry == nil {
		writeError(w, http.StatusServiceUnavailable, "the model registry is not configured on this server")
		return false
	}
	if p := principalOf(r); p == nil || p.Role != cases.RoleAdmin {
		writeJSON(w, http.StatusForbidden, TransitionErrorJSON{Error: "only an admin may manage models", AllowedRoles: []string{cases.RoleAdmin}})
		return false
	}
	return true
}

func (s *server) listModels(w http.ResponseWriter, r *http.Request) {
	if !s.modelAdmin(w, r) {
		return
	}
	o, err := s.opts.Models.Registry.Overview(r.Context(), 100)
	if err != nil {
		s.log.Error("models overview", "err", err)
		writeError(w, http.StatusInternalServerError, "internal error")
		return
	}
	writeJSON(w, http.StatusOK, overviewJSON(o))
}

// readUpload reads a multipart upload: the "onnx" file, the "manifest"
// (file or field) and an optional "classes" file. The ONNX part is spooled
// to a temporary file by the multipart reader when large.
func (s *server) readUpload(w http.ResponseWriter, r *http.Request) (models.Upload, func(), error) {
	r.Body = http.MaxBytesReader(w, r.Body, s.opts.Models.MaxUploadBytes+multipartSlack)
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return models.Upload{}, func() {}, &models.Rejection{Check: models.CheckRequest, Status: http.StatusRequestEntityTooLarge,
				Err: fmt.Errorf("the upload is larger than %d bytes (models.max_upload_bytes)", s.opts.Models.MaxUploadBytes)}
		}
		return models.Upload{}, func() {}, &models.Rejection{Check: models.CheckRequest, Status: http.StatusBadRequest,
			Err: fmt.Errorf("want a multipart/form-data body with parts onnx, manifest and optionally classes: %v", err)}
	}
	cleanup := func() { _ = r.MultipartForm.RemoveAll() }
	u := models.Upload{}
	if p := principalOf(r); p != nil {
		u.By = p.Name
	}
	part := func(name string) ([]byte, error) {
		if f, _, err := r.FormFile(name); err == nil {
			defer f.Close()
			return io.ReadAll(io.LimitReader(f, models.MaxManifestBytes+1))
		}
		if v, ok := r.MultipartForm.Value[name]; ok && len(v) > 0 {
			return []byte(v[0]), nil
		}
		return nil, nil
	}
	var err error
	if u.Manifest, err = part("manifest"); err != nil {
		return u, cleanup, err
	}
	if u.Classes, err = part("classes"); err != nil {
		return u, cleanup, err
	}
	f, _, err := r.FormFile("onnx")
	if err != nil {
		return u, cleanup, &models.Rejection{Check: models.CheckRequest, Status: http.StatusBadRequest,
			Err: errors.New(`the ONNX file is missing: send it as the multipart file part "onnx"`)}
	}
	u.ONNX = f
	return u, func() { f.Close(); cleanup() }, nil
}

// upload runs an upload through the registry and returns the status and
// body to answer with.
func (s *server) upload(w http.ResponseWriter, r *http.Request) (int, any) {
	u, done, err := s.readUpload(w, r)
	defer done()
	if err == nil {
		var (
			v       *store.ModelVersion
			created bool
		)
		v, created, err = s.opts.Models.Registry.Upload(r.Context(), u)
		if err == nil {
			if created {
				return http.StatusCreated, versionJSON(*v)
			}
			return http.StatusOK, versionJSON(*v)
		}
	}
	if rej, ok := models.IsRejection(err); ok {
		s.log.Info("model upload refused", "check", rej.Check, "err", rej.Err)
		return rej.Status, UploadErrorJSON{Error: rej.Error(), Check: rej.Check}
	}
	s.log.Error("model upload", "err", err)
	return http.StatusInternalServerError, UploadErrorJSON{Error: "internal error"}
}

func (s *server) uploadModel(w http.ResponseWriter, r *http.Request) {
	if !s.modelAdmin(w, r) {
		return
	}
	code, body := s.upload(w, r)
	writeJSON(w, code, body)
}

func (s *server) putGroup(w http.ResponseWriter, r *http.Request) {
	if !s.modelAdmin(w, r) {
		return
	}
	var req GroupJSON
	if err := decodeJSON(w, r, &req); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	g, err := s.opts.Models.Registry.PutGroup(r.Context(), req.Name, req.Devices)
	switch {
	case errors.Is(err, models.ErrInvalid):
		writeError(w, http.StatusBadRequest, err.Error())
	case err != nil:
		s.log.Error("put device group", "err", err)
		writeError(w, http.StatusInternalServerError, "internal error")
	default:
		writeJSON(w, http.StatusOK, GroupJSON{Name: g.Name, Devices: g.Devices})
	}
}

func (s *server) rollout(ctx context.Context, group, name, version string) (*store.Rollout, int, error) {
	by := ""
	if p := auth.PrincipalFrom(ctx); p != nil {
		by = p.Name
	}
	ro, err := s.opts.Models.Registry.Rollout(ctx, group, name, version, by)
	switch {
	case errors.Is(err, models.ErrInvalid):
		return nil, http.StatusBadRequest, err
	case errors.Is(err, store.ErrNotFound):
		return nil, http.StatusNotFound, fmt.Errorf("%s not found", strings.TrimSuffix(err.Error(), ": "+store.ErrNotFound.Error()))
	case err != nil:
		s.log.Error("rollout", "err", err)
		return nil, http.StatusInternalServerError, errors.New("internal error")
	}
	return ro, http.StatusCreated, nil
}

func (s *server) createRollout(w http.ResponseWriter, r *http.Request) {
	if !s.modelAdmin(w, r) {
		return
	}
	var req RolloutJSON
	if err := decodeJSON(w, r, &req); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	ro, code, err := s.rollout(r.Context(), req.Group, req.Name, req.Version)
	if err != nil {
		writeError(w, code, err.Error())
		return
	}
	writeJSON(w, code, rolloutJSON(*ro))
}

func (s *server) deviceModel(w http.ResponseWriter, r *http.Request) {
	if !s.modelAdmin(w, r) {
		return
	}
	d, err := s.opts.Models.Registry.Device(r.Context(), r.PathValue("id"))
	if err != nil {
		s.log.Error("device model", "err", err)
		writeError(w, http.StatusInternalServerError, "internal error")
		return
	}
	if d.Assignment == nil && d.Status == nil {
		writeError(w, http.StatusNotFound, fmt.Sprintf("device %q has no model assignment and has reported no model", d.DeviceID))
		return
	}
	writeJSON(w, http.StatusOK, deviceJSON(d))
}

// exportDataset streams the training data zip. An error after the first
// byte can only cut the download short, which the client sees as a broken
// zip; it is logged.
func (s *server) exportDataset(w http.ResponseWriter, r *http.Request) {
	if !s.modelAdmin(w, r) {
		return
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = models.FormatYOLO
	}
	if format != models.FormatYOLO && format != models.FormatCOCO {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("format: invalid value %q: allowed: %s, %s", format, models.FormatYOLO, models.FormatCOCO))
		return
	}
	if s.opts.Models.Export == nil {
		writeError(w, http.StatusServiceUnavailable, "dataset export is not configured on this server")
		return
	}
	name := fmt.Sprintf("xiuhua-dataset-%s-%s.zip", format, s.now().UTC().Format("20060102-150405"))
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	// No overall deadline: a large export to a slow client takes long;
	// each write must go through within the write timeout.
	out := &streamWriter{w: w, rc: http.NewResponseController(w), idle: s.opts.Timeouts.Write}
	stats, err := models.ExportDataset(r.Context(), s.opts.Models.Export, s.opts.Blobs,
		models.ExportOptions{Format: format, Metrics: s.opts.Models.Metrics}, out)
	if err != nil {
		s.log.Error("dataset export", "format", format, "err", err)
		panic(http.ErrAbortHandler) // cut the connection: the zip is incomplete
	}
	s.log.Info("dataset exported", "format", format, "images", stats.Images, "boxes", stats.Boxes, "skipped", stats.Skipped)
}

// The admin page: plain forms, answered by a redirect back with a message.

type modelsPageData struct {
	pageBase
	Overview   ModelsJSON
	Message    string
	Error      bool
	MaxUploadM int64
}

func (s *server) modelsPage(w http.ResponseWriter, r *http.Request) {
	if p := principalOf(r); p == nil || p.Role != cases.RoleAdmin {
		s.errorPage(w, r, http.StatusForbidden, "only an admin may manage models")
		return
	}
	if s.opts.Models == nil || s.opts.Models.Registry == nil {
		s.errorPage(w, r, http.StatusServiceUnavailable, "the model registry is not configured on this server")
		return
	}
	o, err := s.opts.Models.Registry.Overview(r.Context(), 50)
	if err != nil {
		s.log.Error("models overview", "err", err)
		s.errorPage(w, r, http.StatusInternalServerError, "")
		return
	}
	data := &modelsPageData{pageBase: s.base(w, r, "models", "models.title"), Overview: overviewJSON(o),
		Message: r.URL.Query().Get("msg"), Error: r.URL.Query().Get("err") == "1",
		MaxUploadM: s.opts.Models.MaxUploadBytes >> 20}
	s.render(w, modelsTemplate, data)
}

// backToModels redirects to the page with message key, filled with args,
// in the officer's language.
func backToModels(w http.ResponseWriter, r *http.Request, failed bool, key string, args ...any) {
	q := url.Values{"msg": {fmt.Sprintf(tr(langOf(w, r), key), args...)}}
	if failed {
		q.Set("err", "1")
	}
	http.Redirect(w, r, "/models?"+q.Encode(), http.StatusSeeOther)
}

// modelsPageUpload is the page's upload form. A browser cannot put the
// CSRF token in a header of a plain multipart form post, so this route is
// outside the guard and does its checks itself, in the guard's order:
// session, role, same site, then (after reading the bounded body) the
// token from the form.
func (s *server) modelsPageUpload(w http.ResponseWriter, r *http.Request) {
	p, err := s.principal(r)
	if err != nil {
		s.refuseAuth(w, r, Page, err)
		return
	}
	if p.Role != cases.RoleAdmin {
		http.Error(w, "only an admin may manage models", http.StatusForbidden)
		return
	}
	if crossSite(r) {
		http.Error(w, "CSRF: cross-site request refused", http.StatusForbidden)
		return
	}
	if s.opts.Models == nil || s.opts.Models.Registry == nil {
		http.Error(w, "the model registry is not configured on this server", http.StatusServiceUnavailable)
		return
	}
	r = r.WithContext(auth.WithPrincipal(r.Context(), p))
	if p.FromBrowser() {
		// Read the token before the body's ONNX file is checked: parse
		// the form (bounded), compare, then upload from the parsed form.
		r.Body = http.MaxBytesReader(w, r.Body, s.opts.Models.MaxUploadBytes+multipartSlack)
		if err := r.ParseMultipartForm(8 << 20); err != nil {
			backToModels(w, r, true, "models.msg_upload_failed", err.Error())
			return
		}
		defer r.MultipartForm.RemoveAll()
		if !auth.EqualSecret(r.FormValue(CSRFField), p.CSRFToken) {
			http.Error(w, "CSRF: token missing or not the session's", http.StatusForbidden)
			return
		}
	}
	code, body := s.upload(w, r)
	switch b := body.(type) {
	case ModelVersionJSON:
		key := "models.msg_accepted"
		if code == http.StatusOK {
			key = "models.msg_exists"
		}
		backToModels(w, r, false, key, b.Name, b.Version, b.SHA256)
	case UploadErrorJSON:
		backToModels(w, r, true, "models.msg_refused", code, b.Error)
	}
}

func (s *server) modelsPageGroup(w http.ResponseWriter, r *http.Request) {
	if p := principalOf(r); p == nil || p.Role != cases.RoleAdmin || s.opts.Models == nil {
		http.Error(w, "only an admin may manage models", http.StatusForbidden)
		return
	}
	devices := strings.FieldsFunc(r.PostFormValue("devices"), func(c rune) bool { return c == ',' || c == ' ' || c == '\n' || c == '\r' || c == '\t' })
	g, err := s.opts.Models.Registry.PutGroup(r.Context(), strings.TrimSpace(r.PostFormValue("name")), devices)
	if err != nil {
		backToModels(w, r, true, "models.msg_group_failed", err.Error())
		return
	}
	backToModels(w, r, false, "models.msg_group", g.Name, len(g.Devices))
}

func (s *server) modelsPageRollout(w http.ResponseWriter, r *http.Request) {
	if p := principalOf(r); p == nil || p.Role != cases.RoleAdmin || s.opts.Models == nil {
		http.Error(w, "only an admin may manage models", http.StatusForbidden)
		return
	}
	name, version, _ := strings.Cut(r.PostFormValue("model"), "@")
	ro, _, err := s.rollout(r.Context(), r.PostFormValue("group"), name, version)
	if err != nil {
		backToModels(w, r, true, "models.msg_rollout_failed", err.Error())
		return
	}
	backToModels(w, r, false, "models.msg_rollout", ro.ID, ro.Name, ro.Version, ro.Group)
}
