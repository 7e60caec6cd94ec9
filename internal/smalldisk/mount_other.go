//go:build !linux

package smalldisk

import "errors"

func mount(string, int64) error { return errors.New("tmpfs mounts need Linux") }

func unmount(string) error { return nil }
