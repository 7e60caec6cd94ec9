package modelswap

import (
	"context"
	"fmt"
	"time"

	"github.com/xiuhua/xiuhua/edge/detect"
	"github.com/xiuhua/xiuhua/edge/vision"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// Target is a model to install.
type Target struct {
	// Manifest is the path of the model's manifest; its ONNX file lies
	// beside it.
	Manifest string
	// AssignmentID is the server's rollout step, echoed in ModelStatus;
	// empty in local mode.
	AssignmentID string
	// Probation and MaxErrorRate override the manager's when not zero.
	Probation    time.Duration
	MaxErrorRate float64
}

// Install loads the model t names beside the running one, checks it (input
// size, sha256 and shapes, a smoke run on a recent frame, warm-up runs),
// then swaps it in between two frames and puts it on probation. Any failure
// before the swap leaves the running model untouched and is reported as
// MODEL_STATE_FAILED with the reason; the error says the same. A model that
// is already running is not loaded again. ErrBusy: another change is under
// way.
func (m *Manager) Install(ctx context.Context, t Target) error {
	if !m.busy.CompareAndSwap(false, true) {
		return ErrBusy
	}
	swapped := false
	defer func() {
		if !swapped {
			m.busy.Store(false)
		}
	}()
	man, err := detect.LoadManifest(t.Manifest)
	if err != nil {
		return m.fail(t.AssignmentID, vision.ModelInfo{}, err, true)
	}
	target := vision.ModelInfo{Name: man.Name, Version: man.Version, SHA256: man.SHA256}
	if sameModel(target, m.Info()) {
		return nil
	}
	m.setStatus(xiuhuav1.ModelState_MODEL_STATE_WARMING, target, t.AssignmentID, "", 0, true)
	if exp := m.cfg.ExpectInput; exp != nil && (man.Input.Width != exp[0] || man.Input.Height != exp[1]) {
		return m.fail(t.AssignmentID, target, fmt.Errorf("model input is %dx%d but model.expect_input pins %dx%d: refused",
			man.Input.Width, man.Input.Height, exp[0], exp[1]), true)
	}
	det, err := m.cfg.Open(man)
	if err != nil {
		return m.fail(t.AssignmentID, target, fmt.Errorf("load: %w", err), true)
	}
	if err := m.warm(ctx, det); err != nil {
		_ = det.Close()
		return m.fail(t.AssignmentID, target, err, true)
	}
	target = det.Info()

	probation, rate := m.cfg.Probation, m.cfg.MaxErrorRate
	if t.Probation > 0 {
		probation = t.Probation
	}
	if t.MaxErrorRate > 0 {
		rate = t.MaxErrorRate
	}
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		_ = det.Close()
		return fmt.Errorf("install %s %s: model manager closed", target.Name, target.Version)
	}
	old := m.active.info
	m.prev = m.active
	m.setActive(&slot{det: det, info: target, classes: man.Classes, manifest: t.Manifest})
	m.prob = newProbation(probation, rate, m.cfg.ErrorWindow, t.AssignmentID)
	m.mu.Unlock()
	swapped = true

	m.met.swaps.Inc()
	m.met.setActive(target)
	rules, _ := m.updateRules(man.Classes)
	m.log.Info("model swapped in; on probation", "name", target.Name, "version", target.Version, "sha256", target.SHA256,
		"previous", old.Name+" "+old.Version, "probation", probation, "max_error_rate", rate)
	m.setStatus(xiuhuav1.ModelState_MODEL_STATE_PROBATION, target, t.AssignmentID, rules, 0, true)
	return nil
}

// warm runs det on the reference frame once as a smoke run, then Warmup
// more times so the first camera frames are not slow.
func (m *Manager) warm(ctx context.Context, det detect.Detector) error {
	frame, what := m.reference()
	defer frame.Close()
	if _, err := det.Detect(frame); err != nil {
		return fmt.Errorf("smoke run on %s: %w", what, err)
	}
	for i := range m.cfg.Warmup {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("warm-up: %w", err)
		}
		if _, err := det.Detect(frame); err != nil {
			return fmt.Errorf("warm-up run %d on %s: %w", i+1, what, err)
		}
	}
	return ctx.Err()
}

// finish acts on the end of a probation, outside m.mu.
func (m *Manager) finish(out outcome) {
	defer m.busy.Store(false)
	if err := out.closing.close(); err != nil {
		m.log.Warn("close model", "name", out.closing.info.Name, "version", out.closing.info.Version, "err", err)
	}
	running := m.Info()
	m.met.setActive(running)
	switch out.kind {
	case outcomeCommitted:
		m.rememberCommit(out.kept, out.assignment)
		rules, _ := m.updateRules(m.activeClasses())
		m.log.Info("model passed probation; previous model closed", "name", running.Name, "version", running.Version,
			"closed", out.closing.info.Name+" "+out.closing.info.Version)
		m.setStatus(xiuhuav1.ModelState_MODEL_STATE_ACTIVE, vision.ModelInfo{}, out.assignment, rules, 0, true)
	case outcomeRolledBack:
		m.met.rollbacks.Inc()
		rules, _ := m.updateRules(m.activeClasses())
		m.log.Error("model rolled back", "failed", out.failed.Name+" "+out.failed.Version, "running", running.Name+" "+running.Version,
			"reason", out.reason)
		st := m.setStatus(xiuhuav1.ModelState_MODEL_STATE_ROLLED_BACK, out.failed, out.assignment, joinReasons(out.reason, rules), 0, true)
		m.remember(out.assignment, out.failed.SHA256, st)
	}
}

func (m *Manager) activeClasses() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.active.classes
}

// fail reports a model that never ran; remember keeps the verdict for the
// assignment so that the server's re-sent assignment is not tried again.
func (m *Manager) fail(assignment string, target vision.ModelInfo, err error, remember bool) error {
	m.met.failures.Inc()
	m.log.Warn("model refused; the running model is untouched", "name", target.Name, "version", target.Version, "err", err)
	st := m.setStatus(xiuhuav1.ModelState_MODEL_STATE_FAILED, target, assignment, err.Error(), 0, true)
	if remember {
		m.remember(assignment, target.SHA256, st)
	}
	return err
}

func sameModel(a, b vision.ModelInfo) bool {
	return a.Name == b.Name && a.Version == b.Version && a.SHA256 == b.SHA256
}

func joinReasons(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}
