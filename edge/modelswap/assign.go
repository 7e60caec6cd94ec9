package modelswap

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/xiuhua/xiuhua/edge/vision"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// Assignments carries out the server's ModelAssignments: download, then
// Install. The server repeats an assignment until the edge reports the
// version, so each is idempotent: a model already running is only
// reported, one that failed or was rolled back under the same assignment
// is reported again rather than tried again, and one arriving during
// another change waits for the next repeat.
type Assignments struct {
	Manager  *Manager
	Download *Downloader
	Log      *slog.Logger

	next chan *xiuhuav1.ModelAssignment
}

// NewAssignments returns an Assignments that is ready for Offer.
func NewAssignments(m *Manager, d *Downloader, log *slog.Logger) *Assignments {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Assignments{Manager: m, Download: d, Log: log, next: make(chan *xiuhuav1.ModelAssignment, 1)}
}

// Offer hands an assignment to Run without blocking (the uplink's command
// handler must not block); one still waiting is replaced by the newer.
func (a *Assignments) Offer(as *xiuhuav1.ModelAssignment) {
	for {
		select {
		case a.next <- as:
			return
		default:
		}
		select {
		case <-a.next:
		default:
		}
	}
}

// Run handles offered assignments, one at a time, until ctx ends.
func (a *Assignments) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case as := <-a.next:
			if err := a.Handle(ctx, as); err != nil {
				a.Log.Warn("model assignment not carried out", "assignment", as.GetAssignmentId(), "err", err)
			}
		}
	}
}

// Handle carries out one assignment and reports the outcome.
func (a *Assignments) Handle(ctx context.Context, as *xiuhuav1.ModelAssignment) error {
	mr := as.GetModel()
	target := vision.ModelInfo{Name: mr.GetName(), Version: mr.GetVersion(), SHA256: mr.GetSha256()}
	m := a.Manager
	if sameModel(target, m.Info()) {
		m.Report()
		return nil
	}
	if st := m.Refused(as.GetAssignmentId(), mr.GetSha256()); st != nil {
		st.Running = ref(m.Info())
		m.send(st)
		return nil
	}
	if m.Busy() {
		m.Report()
		return ErrBusy
	}
	m.Downloading(target, as.GetAssignmentId(), 0, true)
	var last time.Time
	a.Download.Progress = func(n int64) {
		if time.Since(last) >= time.Second {
			last = time.Now()
			m.Downloading(target, as.GetAssignmentId(), n, false)
		}
	}
	path, err := a.Download.Download(ctx, as)
	if err != nil {
		return m.Failed(as.GetAssignmentId(), target, fmt.Errorf("download: %w", err))
	}
	return m.Install(ctx, Target{
		Manifest:     path,
		AssignmentID: as.GetAssignmentId(),
		Probation:    time.Duration(as.GetProbationSeconds()) * time.Second,
		MaxErrorRate: min(max(float64(as.GetMaxErrorRate()), 0), 1), // 0: the box's own
	})
}
