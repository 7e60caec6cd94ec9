package modelswap

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/xiuhua/xiuhua/edge/detect"
	"github.com/xiuhua/xiuhua/internal/durable"
)

// ActiveFile is the name of the record of the model that last passed
// probation, in the models folder (<data_dir>/models). It starts with an
// underscore so that no model can be downloaded under the same name: model
// names start with a letter or digit.
const ActiveFile = "_active.yaml"

// Active records the model that last passed probation, so that the edge
// starts on it after a restart instead of on the configured model (which
// the server's repeated assignment would only swap out again). A rollback
// is never recorded: the record names a model that ran cleanly.
type Active struct {
	// Manifest is the model's manifest: relative to the record's folder
	// when it lies inside it (a moved data folder keeps working), absolute
	// otherwise.
	Manifest    string    `yaml:"manifest"`
	Name        string    `yaml:"name"`
	Version     string    `yaml:"version"`
	SHA256      string    `yaml:"sha256"`
	Assignment  string    `yaml:"assignment,omitempty"`
	CommittedAt time.Time `yaml:"committed_at"`
}

// WriteActive records a durably at path: a temporary file, fsynced, renamed
// over the old record, and the folder fsynced, so a power cut leaves either
// the old record or the new one, never half of one.
func WriteActive(path string, a Active) error {
	dir := filepath.Dir(path)
	if abs, err := filepath.Abs(a.Manifest); err == nil {
		a.Manifest = abs
		if absDir, err := filepath.Abs(dir); err == nil {
			if rel, err := filepath.Rel(absDir, abs); err == nil && filepath.IsLocal(rel) {
				a.Manifest = rel
			}
		}
	}
	var buf bytes.Buffer
	buf.WriteString("# The model that last passed probation; the edge starts on it. Written by\n# the edge: remove this file to start on model.manifest again.\n")
	enc := yaml.NewEncoder(&buf)
	if err := enc.Encode(a); err != nil {
		return fmt.Errorf("record active model: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("record active model: %w", err)
	}
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err == nil {
		err = writeSynced(f, tmp, buf.Bytes())
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("record active model: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("record active model: %w", err)
	}
	if err := durable.SyncDir(dir); err != nil {
		return fmt.Errorf("record active model: %w", err)
	}
	return nil
}

// ReadActive reads the record at path; nil and no error when there is none.
// A relative Manifest is returned resolved against the record's folder.
func ReadActive(path string) (*Active, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read active model record: %w", err)
	}
	var a Active
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&a); err != nil {
		return nil, fmt.Errorf("active model record %s: %w", path, err)
	}
	if a.Manifest == "" || a.Name == "" || a.Version == "" || !sha256RE.MatchString(a.SHA256) {
		return nil, fmt.Errorf("active model record %s: want manifest, name, version and a sha256 of 64 lower-case hex digits", path)
	}
	if !filepath.IsAbs(a.Manifest) {
		a.Manifest = filepath.Join(filepath.Dir(path), a.Manifest)
	}
	return &a, nil
}

// ClearActive removes the record at path and says whether there was one.
func ClearActive(path string) (bool, error) {
	err := os.Remove(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("remove active model record: %w", err)
	}
	if err := durable.SyncDir(filepath.Dir(path)); err != nil {
		return true, fmt.Errorf("remove active model record: %w", err)
	}
	return true, nil
}

// LoadActive reads the record at path and checks that the model it names is
// still there and intact: its manifest names the recorded model, and the
// ONNX file's sha256 is the recorded one. It returns nil, nil, nil when
// there is no record, and an error saying what does not verify otherwise;
// the caller then starts on the configured model. Loading the model is the
// caller's (with the box's runtime options), as is checking it against the
// configuration.
func LoadActive(path string) (*Active, *detect.Manifest, error) {
	a, err := ReadActive(path)
	if err != nil || a == nil {
		return nil, nil, err
	}
	m, err := detect.LoadManifest(a.Manifest)
	if err != nil {
		return a, nil, fmt.Errorf("remembered model %s %s: %w", a.Name, a.Version, err)
	}
	if m.Name != a.Name || m.Version != a.Version || m.SHA256 != a.SHA256 {
		return a, nil, fmt.Errorf("remembered model %s %s sha256 %s: its manifest %s now describes %s %s sha256 %s",
			a.Name, a.Version, a.SHA256, a.Manifest, m.Name, m.Version, m.SHA256)
	}
	sum, err := fileSHA256(m.ONNXPath())
	if err != nil {
		return a, nil, fmt.Errorf("remembered model %s %s: %w", a.Name, a.Version, err)
	}
	if sum != a.SHA256 {
		return a, nil, fmt.Errorf("remembered model %s %s: %s has sha256 %s, not the recorded %s: the file is damaged or replaced",
			a.Name, a.Version, m.ONNXPath(), sum, a.SHA256)
	}
	return a, m, nil
}

// rememberCommit records the model s that just passed probation, when the
// manager keeps a record; a failure is logged, not fatal: the model keeps
// running and the edge merely starts on the configured one next time.
func (m *Manager) rememberCommit(s *slot, assignment string) {
	if m.cfg.Record == "" || s.manifest == "" {
		return
	}
	err := WriteActive(m.cfg.Record, Active{
		Manifest: s.manifest, Name: s.info.Name, Version: s.info.Version, SHA256: s.info.SHA256,
		Assignment: assignment, CommittedAt: time.Now().UTC(),
	})
	if err != nil {
		m.log.Warn("model passed probation but could not be remembered; the edge will start on the configured model",
			"name", s.info.Name, "version", s.info.Version, "err", err)
		return
	}
	m.log.Info("model remembered for the next start", "name", s.info.Name, "version", s.info.Version, "record", m.cfg.Record)
}
