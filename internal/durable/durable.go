// Package durable holds the one file-system step both binaries need for
// their durability promises (the edge's outbox and key, the server's
// evidence store): making a folder's entries survive a power cut.
package durable

import (
	"fmt"
	"os"
)

// SyncDir makes the entries of dir (creations, renames, removals) durable.
// A file fsynced and renamed into place is not durable until its folder is
// synced too.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
