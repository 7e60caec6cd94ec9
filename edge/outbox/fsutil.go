package outbox

import (
	"fmt"
	"os"
)

// writeFileSync creates path, which must not exist, and syncs it.
func writeFileSync(path string, data []byte) error {
	return write(path, data, os.O_WRONLY|os.O_CREATE|os.O_EXCL)
}

// writeFile creates or truncates path and syncs it.
func writeFile(path string, data []byte) error {
	return write(path, data, os.O_WRONLY|os.O_CREATE|os.O_TRUNC)
}

func write(path string, data []byte, flag int) error {
	f, err := os.OpenFile(path, flag, 0o600)
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
