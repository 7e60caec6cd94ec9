// Package smalldisk gives tests a folder on a small file system of its own,
// to see what code does when the disk is full. It mounts a tmpfs of a given
// size, which needs root (or CAP_SYS_ADMIN); without it the test is skipped,
// saying why. Only tests import it.
package smalldisk

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// Mount returns a new folder that holds at most size bytes; it is unmounted
// when the test ends.
func Mount(t testing.TB, size int64) string {
	t.Helper()
	dir := t.TempDir()
	if err := mount(dir, size); err != nil {
		t.Skipf("a small disk needs a tmpfs mount (root or CAP_SYS_ADMIN): %v", err)
	}
	t.Cleanup(func() {
		if err := unmount(dir); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	return dir
}

// Fill writes a file named name into dir until the disk is full and
// returns its path; removing it makes the room again.
func Fill(t testing.TB, dir, name string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatalf("fill %s: %v", dir, err)
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	for len(buf) > 0 {
		if _, err := f.Write(buf); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("fill %s: %v", dir, err)
			}
			buf = buf[:len(buf)/2] // the last blocks, smaller writes
		}
	}
	return path
}
