// Package readlimit reads whole files that operators hand the server (grid
// cells, streets), refusing one too large before reading it, so that a
// wrong or hostile file cannot eat the server's memory.
package readlimit

import (
	"fmt"
	"os"
)

// File reads the file at path when it is at most max bytes; a larger one
// is refused as "PATH: N bytes: allowed: at most MAX".
func File(path string, max int64) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Size() > max {
		return nil, fmt.Errorf("%s: %d bytes: allowed: at most %d", path, st.Size(), max)
	}
	return os.ReadFile(path)
}
