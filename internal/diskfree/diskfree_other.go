//go:build !linux

package diskfree

func of(string) (Space, error) { return Space{}, ErrUnsupported }
