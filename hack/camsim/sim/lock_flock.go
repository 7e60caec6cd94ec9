//go:build linux || darwin || freebsd || netbsd || openbsd

package sim

import (
	"os"
	"syscall"
)

// lockFile takes an exclusive advisory lock on path, waiting for it. The
// kernel drops the lock if the process dies, so a crash never leaves the
// cache locked.
func lockFile(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
