// Package diskfree says how much room is left on the file system holding a
// folder, for health checks that must notice a full disk before writes fail.
package diskfree

import "errors"

// ErrUnsupported: this platform has no free-space call here.
var ErrUnsupported = errors.New("free disk space unknown on this platform")

// Space is the room on one file system, in bytes.
type Space struct {
	// Free is what an unprivileged process may still write.
	Free uint64
	// Total is the file system's size.
	Total uint64
}

// Of returns the space of the file system holding dir.
func Of(dir string) (Space, error) { return of(dir) }
