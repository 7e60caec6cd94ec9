package outbox

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// DeadItem is an item the server refused for good, as dead/ keeps it.
type DeadItem struct {
	ID string
	// Reason is the reason line of reason.txt; empty when it is missing.
	Reason string
}

// Dead lists dead/, sorted by id, for an operator deciding what to
// requeue.
func (o *Outbox) Dead() ([]DeadItem, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	entries, err := os.ReadDir(o.deadDir)
	if err != nil {
		return nil, fmt.Errorf("outbox dead: %w", err)
	}
	var out []DeadItem
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		reason, err := readReason(filepath.Join(o.deadDir, e.Name(), reasonFile))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("outbox dead %s: %w", e.Name(), err)
		}
		out = append(out, DeadItem{ID: e.Name(), Reason: reason})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func readReason(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if r, ok := strings.CutPrefix(sc.Text(), "reason: "); ok {
			return r, nil
		}
	}
	return "", sc.Err()
}
