package modelswap

import (
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/xiuhua/xiuhua/edge/vision"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// OnStatus sets the function every status change is sent to (the uplink's
// Reply); it must not block.
func (m *Manager) OnStatus(f func(*xiuhuav1.ModelStatus)) {
	m.stMu.Lock()
	defer m.stMu.Unlock()
	m.notify = f
}

// Status is the current model status, for heartbeats. The copy is the
// caller's.
func (m *Manager) Status() *xiuhuav1.ModelStatus {
	m.stMu.Lock()
	defer m.stMu.Unlock()
	return proto.CloneOf(m.status)
}

// setStatus records a new status (the running model filled in) and, with
// notify, sends it; it returns the copy it recorded.
func (m *Manager) setStatus(state xiuhuav1.ModelState, target vision.ModelInfo, assignment, reason string, downloaded int64, notify bool) *xiuhuav1.ModelStatus {
	st := &xiuhuav1.ModelStatus{
		State:           state,
		Running:         ref(m.Info()),
		Target:          ref(target),
		AssignmentId:    assignment,
		Reason:          reason,
		ChangedAt:       timestamppb.Now(),
		DownloadedBytes: downloaded,
	}
	m.stMu.Lock()
	m.status = st
	f := m.notify
	m.stMu.Unlock()
	if notify && f != nil {
		f(proto.CloneOf(st))
	}
	return st
}

// Report sends the current status again, e.g. to answer an assignment the
// server repeats.
func (m *Manager) Report() {
	m.stMu.Lock()
	st, f := proto.CloneOf(m.status), m.notify
	m.stMu.Unlock()
	if f != nil {
		f(st)
	}
}

// send sends st as it is.
func (m *Manager) send(st *xiuhuav1.ModelStatus) {
	m.stMu.Lock()
	f := m.notify
	m.stMu.Unlock()
	if f != nil {
		f(st)
	}
}

// Downloading records download progress of target; notify for the first
// and last report, the heartbeat carries the rest.
func (m *Manager) Downloading(target vision.ModelInfo, assignment string, n int64, notify bool) {
	m.setStatus(xiuhuav1.ModelState_MODEL_STATE_DOWNLOADING, target, assignment, "", n, notify)
}

// Failed reports a model that could not be fetched: the running model is
// untouched. The verdict is not remembered, since a download may well work
// next time.
func (m *Manager) Failed(assignment string, target vision.ModelInfo, err error) error {
	return m.fail(assignment, target, err, false)
}

// Busy says whether a model is being installed or is on probation.
func (m *Manager) Busy() bool { return m.busy.Load() }

// Refused returns the status of an earlier failure or rollback of the
// model sha256 under assignment, or nil.
func (m *Manager) Refused(assignment, sha256 string) *xiuhuav1.ModelStatus {
	m.stMu.Lock()
	defer m.stMu.Unlock()
	if st, ok := m.refused[assignment+"/"+sha256]; ok {
		return proto.CloneOf(st)
	}
	return nil
}

func (m *Manager) remember(assignment, sha256 string, st *xiuhuav1.ModelStatus) {
	if assignment == "" {
		return // local mode: the watcher only retries a changed folder
	}
	m.stMu.Lock()
	defer m.stMu.Unlock()
	m.refused[assignment+"/"+sha256] = st
}
