//go:build !unix

package outbox

import "os"

// lockDir only opens the lock file: no locking off unix.
func lockDir(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
}
