package modelswap

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/xiuhua/xiuhua/edge/detect"
	"github.com/xiuhua/xiuhua/edge/vision"
)

// Watcher is local mode: it polls the manifest (its mtime, size and hash)
// and the other files of its folder (name, mtime, size), and installs the
// model when they change, with the checks and rollback of a server's
// assignment. A model copied in two steps (the ONNX file after the
// manifest, or the other way round) is looked at again when the second
// step changes the folder. Polling needs no file-notification library and
// works on every file system, and a few seconds' delay does not matter.
type Watcher struct {
	Manifest string
	Interval time.Duration
	Manager  *Manager
	Log      *slog.Logger
}

// Run polls until ctx ends.
func (w *Watcher) Run(ctx context.Context) { w.poll(ctx, w.first()) }

func (w *Watcher) logger() *slog.Logger {
	if w.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return w.Log
}

// first is the folder's print that later ones are compared with: a change
// made after it is installed, one made before it is not.
func (w *Watcher) first() string {
	seen, err := folderPrint(w.Manifest)
	if err != nil {
		w.logger().Warn("watch models folder", "manifest", w.Manifest, "err", err)
	}
	return seen
}

// poll installs the model whenever the folder's print differs from seen.
func (w *Watcher) poll(ctx context.Context, seen string) {
	log := w.logger()
	t := time.NewTicker(w.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now, err := folderPrint(w.Manifest)
		if err != nil || now == seen {
			continue // a manifest being replaced may be missing for a moment
		}
		switch err := w.check(ctx); {
		case errors.Is(err, ErrBusy):
			continue // look again at the next tick
		case err != nil:
			log.Warn("changed model not installed", "manifest", w.Manifest, "err", err)
		}
		seen = now
	}
}

// check installs the manifest's model unless it is the running one.
func (w *Watcher) check(ctx context.Context) error {
	m, err := detect.LoadManifest(w.Manifest)
	if err == nil && sameModel(vision.ModelInfo{Name: m.Name, Version: m.Version, SHA256: m.SHA256}, w.Manager.Info()) {
		return nil
	}
	// A broken manifest goes through Install too, so that it is reported.
	return w.Manager.Install(ctx, Target{Manifest: w.Manifest})
}

// folderPrint fingerprints the manifest (mtime, size, content hash) and the
// other files of its folder (name, mtime, size).
func folderPrint(manifest string) (string, error) {
	h := sha256.New()
	st, err := os.Stat(manifest)
	if err != nil {
		return "", err
	}
	f, err := os.Open(manifest)
	if err != nil {
		return "", err
	}
	_, err = io.Copy(h, f)
	f.Close()
	if err != nil {
		return "", err
	}
	fmt.Fprintf(h, "\x00%d %d\x00", st.ModTime().UnixNano(), st.Size())
	entries, err := os.ReadDir(filepath.Dir(manifest))
	if err != nil {
		return "", err
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		if fi, err := e.Info(); err == nil {
			fmt.Fprintf(h, "%s %d %d\x00", e.Name(), fi.ModTime().UnixNano(), fi.Size())
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
