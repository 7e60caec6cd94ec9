package models

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"google.golang.org/protobuf/proto"

	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
	"github.com/xiuhua/xiuhua/server/store"
)

// ControlStore is the part of the database the Control uses.
type ControlStore interface {
	DeviceAssignment(ctx context.Context, deviceID string) (*store.Rollout, error)
	GetDeviceModel(ctx context.Context, deviceID string) (*store.DeviceModel, error)
	PutDeviceModel(ctx context.Context, s *store.DeviceModel) error
}

// ControlOptions configure a Control. Store is required.
type ControlOptions struct {
	Store ControlStore
	// Resend is how long an unanswered assignment waits before it is sent
	// again; default DefaultResend.
	Resend time.Duration
	// Probation and MaxErrorRate go out with each assignment: how long
	// the new model must run cleanly, and the run-time error rate above
	// which the edge rolls back.
	Probation    time.Duration
	MaxErrorRate float32
	Metrics      *Metrics
	Log          *slog.Logger
	Now          func() time.Time
}

// DefaultResend is the default resend interval of an assignment.
const DefaultResend = time.Minute

// Control is the model rollout's part of every device's control stream
// (ingest.Control): it sends a ModelAssignment to a device whose reported
// running model is not its assignment, again every Resend until it is, and
// records the ModelStatus the device reports. An assignment the device
// reports as failed or rolled back is not sent again: a new rollout is
// needed. The wanted state is in the database, so any replica holding the
// stream does the same.
type Control struct {
	opts ControlOptions
	log  *slog.Logger

	mu   sync.Mutex
	sent map[string]sentAssignment // by device: last send on this replica
	last map[string]*xiuhuav1.ModelStatus
}

type sentAssignment struct {
	id string
	at time.Time
}

// NewControl returns a Control.
func NewControl(opts ControlOptions) *Control {
	if opts.Resend <= 0 {
		opts.Resend = DefaultResend
	}
	if opts.Metrics == nil {
		opts.Metrics = NewMetrics(nil)
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Control{opts: opts, log: opts.Log.With("component", "models"),
		sent: map[string]sentAssignment{}, last: map[string]*xiuhuav1.ModelStatus{}}
}

// Name names the control in logs.
func (c *Control) Name() string { return "models" }

// AssignmentID is the id a rollout's assignment carries, echoed in
// ModelStatus.
func AssignmentID(rolloutID int64) string { return fmt.Sprintf("rollout-%d", rolloutID) }

// Commands implements ingest.Control.
func (c *Control) Commands(ctx context.Context, deviceID string) ([]*xiuhuav1.ServerMessage, error) {
	a, err := c.opts.Store.DeviceAssignment(ctx, deviceID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	aid := AssignmentID(a.ID)
	st, err := c.opts.Store.GetDeviceModel(ctx, deviceID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		st = nil
	case err != nil:
		return nil, err
	}
	if st != nil && runs(st.Running, a) {
		return nil, nil
	}
	if st != nil && st.LastFailure != nil && st.LastFailure.AssignmentID == aid {
		return nil, nil // the edge refused this one and said why
	}
	now := c.opts.Now()
	c.mu.Lock()
	prev, ok := c.sent[deviceID]
	if ok && prev.id == aid && now.Sub(prev.at) < c.opts.Resend {
		c.mu.Unlock()
		return nil, nil
	}
	c.sent[deviceID] = sentAssignment{id: aid, at: now}
	c.mu.Unlock()
	c.opts.Metrics.assignments.Inc()
	c.log.Info("model assignment", "device_id", deviceID, "assignment_id", aid, "model", a.Name, "version", a.Version)
	return []*xiuhuav1.ServerMessage{{Msg: &xiuhuav1.ServerMessage_ModelAssignment{ModelAssignment: &xiuhuav1.ModelAssignment{
		AssignmentId:     aid,
		Model:            &xiuhuav1.ModelRef{Name: a.Name, Version: a.Version, Sha256: a.SHA256},
		Size:             a.Size,
		ProbationSeconds: uint32(c.opts.Probation / time.Second),
		MaxErrorRate:     c.opts.MaxErrorRate,
	}}}}, nil
}

// Handle implements ingest.Control: it records a device's ModelStatus,
// whether sent on its own or inside a heartbeat. An unchanged status is
// not written again.
func (c *Control) Handle(ctx context.Context, deviceID string, m *xiuhuav1.EdgeMessage) error {
	ms := m.GetModelStatus()
	if ms == nil {
		return nil
	}
	c.mu.Lock()
	same := proto.Equal(c.last[deviceID], ms)
	c.mu.Unlock()
	if same {
		return nil
	}
	prev, err := c.opts.Store.GetDeviceModel(ctx, deviceID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		prev = nil
	case err != nil:
		return err
	}
	dm := deviceModel(deviceID, ms)
	if prev != nil && dm.LastFailure == nil {
		dm.LastFailure = prev.LastFailure
	}
	if err := c.opts.Store.PutDeviceModel(ctx, dm); err != nil {
		return err
	}
	c.mu.Lock()
	c.last[deviceID] = proto.Clone(ms).(*xiuhuav1.ModelStatus)
	c.mu.Unlock()
	if prev == nil || prev.State != dm.State || prev.AssignmentID != dm.AssignmentID || prev.Running != dm.Running {
		c.opts.Metrics.statuses.WithLabelValues(dm.State).Inc()
		log := c.log.With("device_id", deviceID, "state", dm.State, "running", dm.Running.Name+" "+dm.Running.Version,
			"assignment_id", dm.AssignmentID)
		if dm.Reason != "" {
			log.Warn("model status", "target", dm.Target.Name+" "+dm.Target.Version, "reason", dm.Reason)
		} else {
			log.Info("model status")
		}
	}
	return nil
}

func modelRef(r *xiuhuav1.ModelRef) store.ModelRef {
	return store.ModelRef{Name: r.GetName(), Version: r.GetVersion(), SHA256: r.GetSha256()}
}

func deviceModel(deviceID string, ms *xiuhuav1.ModelStatus) *store.DeviceModel {
	dm := &store.DeviceModel{
		DeviceID:     deviceID,
		State:        ms.GetState().String(),
		Running:      modelRef(ms.GetRunning()),
		Target:       modelRef(ms.GetTarget()),
		AssignmentID: ms.GetAssignmentId(),
		Reason:       ms.GetReason(),
		UpdatedAt:    time.Now().UTC().Truncate(time.Microsecond),
	}
	if ms.GetChangedAt() != nil {
		dm.ChangedAt = ms.GetChangedAt().AsTime().UTC().Truncate(time.Microsecond)
	}
	for _, cm := range ms.GetCameras() {
		dm.Cameras = append(dm.Cameras, store.CameraModel{CameraID: cm.GetCameraId(), Model: modelRef(cm.GetModel())})
	}
	switch ms.GetState() {
	case xiuhuav1.ModelState_MODEL_STATE_ROLLED_BACK, xiuhuav1.ModelState_MODEL_STATE_FAILED:
		at := dm.ChangedAt
		if at.IsZero() {
			at = dm.UpdatedAt
		}
		dm.LastFailure = &store.ModelFailure{State: dm.State, Target: dm.Target, AssignmentID: dm.AssignmentID,
			Reason: dm.Reason, At: at}
	}
	return dm
}
