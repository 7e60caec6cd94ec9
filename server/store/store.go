// Package store defines what the server keeps in its database: devices,
// reports with their evidence, and cases. The Store interface is what ingest,
// cases and web need; sqlite (one file, the default) and postgres (several
// server replicas) implement it, and storetest checks both alike. What the
// two do alike, with the same SQL, is written once in sqlstore.
//
// Times are kept to the microsecond (PostgreSQL's precision) and come back
// in UTC.
//
// Evidence content is not in the database: rows name blobs by sha256, and
// the blob store holds the bytes.
package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// ErrNotFound is returned when a case, device or evidence row does not exist.
var ErrNotFound = errors.New("store: not found")

// ErrBadCursor is returned by ListCases for a cursor it did not make.
var ErrBadCursor = errors.New("store: bad cursor")

// Store is the server's database.
type Store interface {
	// SaveReport stores a report and its evidence rows in one transaction.
	// assign decides, inside that transaction, which case the report
	// joins; it runs only for a new event id. For an event id already
	// stored, SaveReport stores nothing and returns the existing case id
	// with duplicate true.
	SaveReport(ctx context.Context, r *Report, assign Assigner) (caseID string, duplicate bool, err error)
	// ReportCase returns the case of an already stored event id, or
	// ErrNotFound.
	ReportCase(ctx context.Context, eventID string) (caseID string, err error)

	// ListCases returns cases newest first, a page at a time.
	ListCases(ctx context.Context, f CaseFilter) (CasePage, error)
	// Stats counts cases by type, status, grid cell and day.
	Stats(ctx context.Context, q StatsQuery) (Stats, error)
	// CountByCell counts the cases in the given statuses per grid code
	// ("" for cases without a cell), all of them in one aggregate: the
	// map's open cases, however many (only non-zero counts).
	CountByCell(ctx context.Context, statuses []string) (map[string]int, error)
	// GetCase returns one case with its reports and their evidence, or
	// ErrNotFound.
	GetCase(ctx context.Context, id string) (*CaseDetail, error)
	// GetEvidence returns an evidence row holding the given content (a
	// report's file, or a transition's attachment), or ErrNotFound when
	// nothing refers to it.
	GetEvidence(ctx context.Context, sha256 string) (*Evidence, error)

	// UpsertDevice records a device's Hello: identity, key, software.
	UpsertDevice(ctx context.Context, d *Device) error
	// Heartbeat records that a device is alive and its latest status.
	Heartbeat(ctx context.Context, deviceID string, at time.Time, status json.RawMessage) error
	// GetDevice returns a device, or ErrNotFound.
	GetDevice(ctx context.Context, id string) (*Device, error)

	Workflow
	Outbox
	Auth
	Rechecks
	Models
	Live
	Retention
	Corrections
	Figures

	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	// Close releases the database. No call may follow.
	Close() error
}

// Assigner chooses the case for a new report within SaveReport's
// transaction and returns its id. The cases package owns the decision.
type Assigner func(ctx context.Context, tx CaseTx, r *Report) (caseID string, err error)

// CaseTx is what an Assigner may do inside the report transaction. It grows
// with the case logic (finding an open case to merge into, say).
type CaseTx interface {
	// OpenCase creates a case and returns its id. SaveReport then attaches
	// the report to whichever case the Assigner returned, updating the
	// case's report count and first and last seen times.
	OpenCase(ctx context.Context, c NewCase) (id string, err error)
	// CaseNumber returns a case's readable number (an event announcing
	// the case carries it).
	CaseNumber(ctx context.Context, id string) (string, error)
	MergeTx
	OutboxTx
}

// NewCase is a case about to be opened.
type NewCase struct {
	Status        string
	ViolationType string
	DeviceID      string
	CameraID      string
	ZoneID        string
	RuleID        string
	// CategoryCode and SubcategoryCode are the city platform's event codes
	// for the violation type (大类, 小类).
	CategoryCode    string
	SubcategoryCode string
	// Location is the case's WGS-84 position (its first report's); nil
	// when unknown.
	Location *GeoPoint
	// GridCode and Unit are the grid cell and the unit responsible for it.
	GridCode string
	Unit     string
	// Address is the case's place in words; empty when none is known yet.
	Address string
}

// Report is one violation as an edge box reported it.
type Report struct {
	EventID       string
	DeviceID      string
	CameraID      string
	ZoneID        string
	RuleID        string
	ViolationType string
	ObservedAt    time.Time
	StartedAt     time.Time // zero when unknown
	DwellSeconds  float64
	Detections    []Detection
	Location      *GeoPoint // nil when unknown
	Model         ModelRef
	FrameWidth    int
	FrameHeight   int
	// Signature is the edge's ed25519 signature over Signed, the report's
	// deterministic protobuf encoding with the signature field empty; both
	// are kept so that the signature can be checked again later.
	Signature         []byte
	Signed            []byte
	SignatureVerified bool
	Evidence          []Evidence
	// Suppressed marks a repeat of a violation officers rejected: the
	// Assigner sets it when it files the report with a rejected case. It is
	// kept, with its evidence, as a labelled negative.
	Suppressed bool
	// Warn is what the edge's warn-first flow did; nil without one.
	Warn *Warn

	// Set by the store.
	CaseID     string
	ReceivedAt time.Time
}

// Detection is one object that makes up a violation, in frame pixels.
type Detection struct {
	ClassName string  `json:"class_name"`
	Score     float32 `json:"score"`
	X         float32 `json:"x"`
	Y         float32 `json:"y"`
	Width     float32 `json:"width"`
	Height    float32 `json:"height"`
	TrackID   uint64  `json:"track_id,omitempty"`
}

// GeoPoint is a WGS-84 position.
type GeoPoint struct {
	Lat float64
	Lon float64
}

// ModelRef names the model that made a detection.
type ModelRef struct {
	Name    string
	Version string
	SHA256  string
}

// Evidence kinds.
const (
	KindUnspecified = "unspecified"
	KindSnapshot    = "snapshot"
	KindAnnotated   = "annotated"
	KindClip        = "clip"
	KindBeforeAfter = "before_after"
	// KindAfterGrace is warn first's second picture: still there after
	// the grace period.
	KindAfterGrace = "after_grace"
)

// Evidence is one file of a report; its bytes are the blob SHA256.
type Evidence struct {
	Name        string
	Kind        string
	ContentType string
	Size        int64
	SHA256      string
	// Purged is set by GetEvidence when retention has removed the file;
	// the row stays.
	Purged bool
}

// Case is a violation that officers act on: one or more reports of the same
// violation at the same place.
type Case struct {
	ID string
	// Number is the readable number officers read out, YYYYMMDD-NNNN
	// (casenum); ID stays the key.
	Number        string
	Status        string
	ViolationType string
	DeviceID      string
	CameraID      string
	ZoneID        string
	RuleID        string
	FirstSeen     time.Time
	LastSeen      time.Time
	ReportCount   int
	CreatedAt     time.Time
	UpdatedAt     time.Time
	// Version counts the case's changes; a transition names the version
	// it was decided on, so that of two officers acting at once one wins.
	Version int
	// StatusSince is when the case entered its current status.
	StatusSince     time.Time
	CategoryCode    string
	SubcategoryCode string
	Location        *GeoPoint // WGS-84; nil when unknown
	GridCode        string
	// Address is where the case is in words (an address hook's answer or
	// "XX路附近 约 35 米"), found when it was opened; empty for none.
	Address string
	// Unit is the unit responsible for the case: its grid cell's when it
	// is opened, the one it was dispatched to after that.
	Unit string
	// Assignee is the user name of the officer the case was dispatched
	// to; empty when none was named.
	Assignee string
	// Thumbnail is the picture to show in lists: an annotated frame if any
	// report has one, else a snapshot; nil when there is neither.
	Thumbnail *Evidence
}

// CaseDetail is a case with its reports and its audit trail, oldest first.
type CaseDetail struct {
	Case
	Reports []Report
	Audit   []AuditEntry
}

// CaseFilter selects a page of cases.
type CaseFilter struct {
	Status string // empty: any
	// Statuses, when not empty, is the set the status must be in (the
	// pages' open cases); with Status both hold.
	Statuses      []string
	ViolationType string // empty: any
	GridCode      string // empty: any
	Unit          string // empty: any
	Assignee      string // the handling officer's user name; empty: any
	// Query is what an officer typed in the search box: a case number
	// (with or without its leading zeros), a number's day alone
	// ("20261206": that day's cases) or a case id; empty: any.
	Query string
	// From and To bound the creation time: From <= created_at < To; zero
	// times do not bound.
	From, To time.Time
	Limit    int    // 1 or more; the store caps it at MaxLimit
	Cursor   string // NextCursor of the previous page; empty: first page
	// Overdue, when set, keeps only the cases past their current
	// stage's deadline and orders them most overdue first; its cursors
	// are of that order.
	Overdue *OverdueFilter
	// NoThumbnails leaves Case.Thumbnail nil: finding each case's picture
	// is most of the work of a long list that shows none (the map).
	NoThumbnails bool
}

// OverdueFilter selects the cases whose current stage is due before At:
// a case in status s entered it more than Deadlines[s] before At. Statuses
// without a (positive) deadline are never overdue.
type OverdueFilter struct {
	At        time.Time
	Deadlines map[string]time.Duration
}

// MaxLimit is the most cases ListCases returns at once.
const MaxLimit = 500

// CasePage is one page of cases and the cursor of the next, empty at the end.
type CasePage struct {
	Cases      []Case
	NextCursor string
}

// Device is an edge box.
type Device struct {
	ID        string
	PublicKey []byte // ed25519; empty when the box sent none
	Hostname  string
	Version   string
	// Cameras is the box's camera list from its Hello, as JSON.
	Cameras   json.RawMessage
	FirstSeen time.Time
	LastSeen  time.Time
	// Status is the latest heartbeat, as JSON; empty before the first.
	Status json.RawMessage
}
