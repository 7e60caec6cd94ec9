// Package modelswap changes the edge's model while cameras run: a new model
// is loaded, smoke-run and warmed beside the running one, swapped in
// between two frames, and kept on probation with the old one still loaded;
// too many run-time errors roll back to the old one. It also fetches
// assigned models from the server (Downloader, Assignments) and, in local
// mode, watches the models folder (Watcher). Every outcome is a
// ModelStatus, sent to the server and carried in heartbeats.
package modelswap

import (
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"gocv.io/x/gocv"

	"github.com/xiuhua/xiuhua/edge/detect"
	"github.com/xiuhua/xiuhua/edge/vision"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// ErrBusy is returned by Install while another model is being installed or
// is on probation: one change at a time keeps "the previous model" well
// defined for a rollback. Callers try again later (the server re-sends its
// assignment; the watcher polls again).
var ErrBusy = errors.New("a model change is already in progress")

// Config is how the manager opens, checks and judges models.
type Config struct {
	// Open loads a model (detect.Open with the box's runtime options).
	Open func(*detect.Manifest) (detect.Detector, error)
	// ExpectInput, when set, is the only input size accepted (width,
	// height): zones and detection sizes were set up for it.
	ExpectInput *[2]int
	// Probation, MaxErrorRate and ErrorWindow judge a new model: it must
	// run Probation and at least ErrorWindow inferences with no more than
	// MaxErrorRate of the last ErrorWindow failing.
	Probation    time.Duration
	MaxErrorRate float64
	ErrorWindow  int
	// Warmup is the number of inferences after the smoke run.
	Warmup int
	// Rules are the configured rules, to report which a model cannot serve.
	Rules []RuleClasses
	Log   *slog.Logger
	// Metrics may be nil (unregistered series are used).
	Metrics *Metrics
	// Record, when set, is where a model that passes probation is
	// remembered (WriteActive), for the next start; empty: nothing is
	// remembered (local mode, where the watched manifest is the model).
	Record string
}

// slot is one loaded model.
type slot struct {
	det      detect.Detector
	info     vision.ModelInfo
	classes  []string
	manifest string // its manifest's path; empty for the first model
	// running counts the frames on det; Add only under Manager.mu while
	// the slot is active, so a slot taken out of service is closed after
	// Wait, never under a frame.
	running sync.WaitGroup
}

// close waits for the frames still running on s, then frees its model.
func (s *slot) close() error {
	s.running.Wait()
	return s.det.Close()
}

// Manager holds the model frames go through. It implements the pipeline's
// Detector for every camera at once. Frames run outside its lock, as many
// at once as the model allows (a detect.Pool of several copies runs that
// many; a single model serialises them itself), and a swap takes effect
// for the frames that start after it: a frame runs on exactly one fully
// loaded model, closed only once its frames are done.
type Manager struct {
	cfg Config
	log *slog.Logger
	met *Metrics

	// mu guards active, prev, prob, ref and closed; a Detect holds it to
	// pick its model and to record the outcome, not while the model runs.
	mu     sync.Mutex
	active *slot
	prev   *slot // the model to roll back to, while active is on probation
	prob   probation
	ref    gocv.Mat  // a recent frame, for the next smoke run
	refAt  time.Time // when ref was taken
	closed bool

	// running is active's info, readable without waiting for a frame.
	running atomic.Pointer[vision.ModelInfo]
	// busy is set from the start of an Install to the end of probation.
	busy atomic.Bool
	// onSwap is told the classes of the rules following the model at each
	// change of active; guarded by mu.
	onSwap func(vision.ModelInfo, []RuleClasses)

	stMu      sync.Mutex // guards the fields below
	status    *xiuhuav1.ModelStatus
	notify    func(*xiuhuav1.ModelStatus)
	rulesOff  map[string]bool     // keys of the rules switched off now
	following map[string][]string // classes of the rules following the model, by key
	refused   map[string]*xiuhuav1.ModelStatus
}

// refEvery is how often the reference frame is refreshed: often enough to
// look like what cameras see now, rarely enough to cost nothing.
const refEvery = 2 * time.Second

// New returns a manager running first, an opened model whose classes are
// classes (the manifest's).
func New(cfg Config, first detect.Detector, classes []string) *Manager {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.ErrorWindow < 1 {
		cfg.ErrorWindow = 1
	}
	m := &Manager{
		cfg:      cfg,
		log:      cfg.Log,
		met:      cfg.Metrics,
		active:   &slot{det: first, info: first.Info(), classes: classes},
		ref:      gocv.NewMat(),
		rulesOff: map[string]bool{},
		refused:  map[string]*xiuhuav1.ModelStatus{},
	}
	m.running.Store(&m.active.info)
	if m.met == nil {
		m.met = newMetrics()
	}
	m.met.setActive(m.active.info)
	off, _ := m.updateRules(classes)
	m.status = &xiuhuav1.ModelStatus{State: xiuhuav1.ModelState_MODEL_STATE_ACTIVE, Running: ref(m.active.info), Reason: off}
	return m
}

// Detect runs the active model on img.
func (m *Manager) Detect(img gocv.Mat) ([]vision.Detection, error) {
	dets, _, err := m.DetectModel(img)
	return dets, err
}

// DetectModel runs the active model on img and says which model that was,
// so evidence names the model that really saw the frame even when a swap
// happens while the evidence is built.
func (m *Manager) DetectModel(img gocv.Mat) ([]vision.Detection, vision.ModelInfo, error) {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil, vision.ModelInfo{}, errors.New("model manager closed")
	}
	s := m.active
	s.running.Add(1)
	m.mu.Unlock()
	dets, err := s.det.Detect(img)
	s.running.Done()

	m.mu.Lock()
	if err == nil && !img.Empty() && !m.closed && time.Since(m.refAt) >= refEvery {
		img.CopyTo(&m.ref)
		m.refAt = time.Now()
	}
	var out outcome
	// Only frames of the model on probation judge it; one that started
	// on the model before a swap or a rollback says nothing of it.
	if m.prev != nil && s == m.active {
		out = m.judge(err)
	}
	m.mu.Unlock()
	if out.kind != outcomeNone {
		m.finish(out)
	}
	return dets, s.info, err
}

// Info describes the active model.
func (m *Manager) Info() vision.ModelInfo { return *m.running.Load() }

// setActive makes s the model for the next frame and tells onSwap the
// classes the rules following the model count under it; m.mu is held.
func (m *Manager) setActive(s *slot) {
	m.active = s
	m.running.Store(&s.info)
	if m.onSwap != nil {
		m.onSwap(s.info, following(m.cfg.Rules, s.classes))
	}
}

// Close frees the models; later Detects fail.
func (m *Manager) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil
	}
	m.closed = true
	err := m.active.close()
	if m.prev != nil {
		err = errors.Join(err, m.prev.close())
		m.prev = nil
	}
	m.ref.Close()
	return err
}

// reference returns a copy of the recent frame, or the bundled test pattern
// before any frame was seen, and says which it is.
func (m *Manager) reference() (gocv.Mat, string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.ref.Empty() {
		return m.ref.Clone(), "a recent camera frame"
	}
	return testPattern(), "the test pattern"
}

func ref(i vision.ModelInfo) *xiuhuav1.ModelRef {
	if i.Name == "" && i.Version == "" && i.SHA256 == "" {
		return nil
	}
	return &xiuhuav1.ModelRef{Name: i.Name, Version: i.Version, Sha256: i.SHA256}
}
