package store

import (
	"context"
	"errors"
	"time"
)

// ErrVersionTaken is returned when a model's name and version are already
// taken by different bytes: versions are immutable.
var ErrVersionTaken = errors.New("store: model version taken by other bytes")

// Models keeps the model registry (versions by sha256), device groups and
// rollouts, and what each device reports it runs. The wanted state (which
// version each device should run) lives here, so that whichever replica
// holds a device's control stream sends what the device still owes.
type Models interface {
	// PutModelVersion records an accepted model. The same name, version and
	// sha256 again is a no-op (created false); the same name and version
	// with another sha256 is ErrVersionTaken.
	PutModelVersion(ctx context.Context, v *ModelVersion) (created bool, err error)
	// GetModelVersion returns one version, or ErrNotFound.
	GetModelVersion(ctx context.Context, name, version string) (*ModelVersion, error)
	// ListModelVersions returns every version, newest first.
	ListModelVersions(ctx context.Context) ([]ModelVersion, error)

	// PutDeviceGroup creates a group or replaces its members.
	PutDeviceGroup(ctx context.Context, g *DeviceGroup) error
	// ListDeviceGroups returns every group by name, members sorted.
	ListDeviceGroups(ctx context.Context) ([]DeviceGroup, error)

	// CreateRollout assigns a model version to a group and sets r.ID and
	// r.CreatedAt; ErrNotFound (wrapped, naming which) when the group or
	// the version does not exist.
	CreateRollout(ctx context.Context, r *Rollout) error
	// ListRollouts returns the latest rollouts, newest first.
	ListRollouts(ctx context.Context, limit int) ([]Rollout, error)
	// DeviceAssignment returns the newest rollout to any group the device
	// is in, or ErrNotFound when none names it.
	DeviceAssignment(ctx context.Context, deviceID string) (*Rollout, error)

	// PutDeviceModel records a device's latest model status.
	PutDeviceModel(ctx context.Context, s *DeviceModel) error
	// GetDeviceModel returns a device's latest model status, or
	// ErrNotFound before its first.
	GetDeviceModel(ctx context.Context, deviceID string) (*DeviceModel, error)
	// ListDeviceModels returns every device's model status by device id.
	ListDeviceModels(ctx context.Context) ([]DeviceModel, error)

	// TrainingReports returns, oldest first, up to limit reports with row
	// id greater than afterID whose case is in one of statuses, each with
	// its evidence rows; for a training data export.
	TrainingReports(ctx context.Context, statuses []string, afterID int64, limit int) ([]TrainingReport, error)
}

// ModelVersion is one accepted model: immutable, identified by SHA256.
type ModelVersion struct {
	Name    string
	Version string
	SHA256  string
	Size    int64
	Family  string
	// InputWidth and InputHeight are the model's input size, for the
	// rules that expect one.
	InputWidth  int
	InputHeight int
	Classes     []string
	// Manifest is the manifest as served with the model (YAML).
	Manifest   []byte
	UploadedBy string
	CreatedAt  time.Time
}

// DeviceGroup is a named set of edge boxes; a group of one is a canary.
type DeviceGroup struct {
	Name      string
	Devices   []string
	UpdatedAt time.Time
}

// Rollout assigns a model version to a group. The newest rollout naming a
// device's group is what that device should run.
type Rollout struct {
	ID        int64
	Group     string
	Name      string
	Version   string
	SHA256    string // set by CreateRollout from the version
	Size      int64  // set by CreateRollout from the version
	CreatedBy string
	CreatedAt time.Time
}

// DeviceModel is what a device last reported about its model.
type DeviceModel struct {
	DeviceID     string
	State        string // the proto's ModelState name, e.g. MODEL_STATE_ACTIVE
	Running      ModelRef
	Target       ModelRef
	AssignmentID string
	Reason       string
	ChangedAt    time.Time // when the edge says the state changed; zero when unknown
	Cameras      []CameraModel
	// The last failure (rolled back or failed) is kept when later statuses
	// no longer carry it, so the reason stays visible.
	LastFailure *ModelFailure
	UpdatedAt   time.Time
}

// CameraModel is the model one camera runs.
type CameraModel struct {
	CameraID string   `json:"camera_id"`
	Model    ModelRef `json:"model"`
}

// ModelFailure is a model that an edge rolled back or could not install.
type ModelFailure struct {
	State        string    `json:"state"`
	Target       ModelRef  `json:"target"`
	AssignmentID string    `json:"assignment_id"`
	Reason       string    `json:"reason"`
	At           time.Time `json:"at"`
}

// TrainingReport is a report with its case's status, for a dataset export.
type TrainingReport struct {
	ID         int64 // row id, the paging key
	CaseStatus string
	Report
}
