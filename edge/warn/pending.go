package warn

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/xiuhua/xiuhua/internal/durable"
)

// Pending is a violation that was warned about and waits for its second
// look: the state the warn-first flow must not lose when the edge
// restarts during the grace period.
type Pending struct {
	// ID is the violation's event id; the store keeps one entry per ID.
	ID       string    `json:"id"`
	Camera   string    `json:"camera"`
	Zone     string    `json:"zone"`
	Rule     string    `json:"rule"`
	Type     string    `json:"type"`
	RaisedAt time.Time `json:"raised_at"`
	// Warnings are the warnings played so far, oldest first.
	Warnings []Played `json:"warnings"`
	// LookAt is when to look again (the last warning plus grace).
	LookAt time.Time `json:"look_at"`
	// Evidence is where the flow keeps the first look's evidence (a
	// folder or a report file of its own), for the report sent later.
	Evidence string `json:"evidence,omitempty"`
	// Outcome, once decided (file or corrected), is stored before the
	// flow hands the entry on, so a retry after a failed hand-off does
	// not look again and decide differently.
	Outcome string `json:"outcome,omitempty"`
}

// Played is one warning played (or tried) for a Pending.
type Played struct {
	At     time.Time `json:"at"`
	Player string    `json:"player"`          // backchannel or http
	Error  string    `json:"error,omitempty"` // empty: played
}

var pendingID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$`)

// check is what every stored entry must satisfy.
func (p *Pending) check() error {
	switch {
	case !pendingID.MatchString(p.ID):
		return fmt.Errorf("id %q: want 1-128 letters, digits, '_', '.', '-'", p.ID)
	case p.Camera == "" || p.Type == "":
		return errors.New("camera and type must be set")
	case p.RaisedAt.IsZero() || p.LookAt.IsZero():
		return errors.New("raised_at and look_at must be set")
	}
	return nil
}

// decodePending parses one stored entry.
func decodePending(b []byte) (*Pending, error) {
	var p Pending
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("data after the entry")
	}
	if err := p.check(); err != nil {
		return nil, err
	}
	return &p, nil
}

// PendingStore keeps Pending entries as one JSON file each in a folder,
// written to a temporary file, fsynced, renamed into place and the folder
// synced: after a crash an entry is either the old one or the new one,
// never torn. One process uses a folder at a time (the edge's data_dir
// lock covers it).
type PendingStore struct {
	dir string
}

// OpenPendingStore creates dir if needed and removes the temporary files
// of Puts a crash interrupted (their entries were never in place).
func OpenPendingStore(dir string) (*PendingStore, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open pending warnings %s: %w", dir, err)
	}
	tmps, err := filepath.Glob(filepath.Join(dir, "*.tmp"))
	if err != nil {
		return nil, fmt.Errorf("open pending warnings %s: %w", dir, err)
	}
	for _, t := range tmps {
		if err := os.Remove(t); err != nil {
			return nil, fmt.Errorf("open pending warnings %s: %w", dir, err)
		}
	}
	return &PendingStore{dir: dir}, nil
}

// Put stores p, replacing an entry with the same ID.
func (s *PendingStore) Put(p Pending) error {
	if err := p.check(); err != nil {
		return fmt.Errorf("store pending warning: %w", err)
	}
	b, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("store pending warning %s: %w", p.ID, err)
	}
	tmp := filepath.Join(s.dir, p.ID+".tmp")
	if err := writeSynced(tmp, b); err != nil {
		return fmt.Errorf("store pending warning %s: %w", p.ID, err)
	}
	if err := os.Rename(tmp, s.path(p.ID)); err != nil {
		return fmt.Errorf("store pending warning %s: %w", p.ID, err)
	}
	return durable.SyncDir(s.dir)
}

// Remove deletes the entry of id; a missing entry is not an error (a
// second removal after a crash between the look and the removal).
func (s *PendingStore) Remove(id string) error {
	if !pendingID.MatchString(id) {
		return fmt.Errorf("remove pending warning: id %q is not one the store makes", id)
	}
	if err := os.Remove(s.path(id)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove pending warning %s: %w", id, err)
	}
	return durable.SyncDir(s.dir)
}

// Load returns every entry, the earliest LookAt first. Entries that do not
// parse are renamed to NAME.bad (kept for a human, never retried) and
// reported in bad. Safe to call while Puts of other entries run.
func (s *PendingStore) Load() (entries []Pending, bad []error, err error) {
	des, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, nil, fmt.Errorf("load pending warnings: %w", err)
	}
	for _, de := range des {
		name := de.Name()
		path := filepath.Join(s.dir, name)
		if !strings.HasSuffix(name, ".json") {
			continue
		}
		b, err := os.ReadFile(path)
		if errors.Is(err, os.ErrNotExist) {
			continue // removed since ReadDir
		}
		if err != nil {
			return nil, nil, fmt.Errorf("load pending warnings: %w", err)
		}
		p, err := decodePending(b)
		if err == nil && s.path(p.ID) != path {
			err = fmt.Errorf("holds id %q", p.ID)
		}
		if err != nil {
			bad = append(bad, fmt.Errorf("pending warning %s: %w (kept as %s.bad)", name, err, name))
			_ = os.Rename(path, path+".bad")
			continue
		}
		entries = append(entries, *p)
	}
	slices.SortFunc(entries, func(a, b Pending) int { return a.LookAt.Compare(b.LookAt) })
	return entries, bad, nil
}

func (s *PendingStore) path(id string) string { return filepath.Join(s.dir, id+".json") }

// writeSynced creates or truncates path with data and fsyncs it.
func writeSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync %s: %w", path, err)
	}
	return f.Close()
}
