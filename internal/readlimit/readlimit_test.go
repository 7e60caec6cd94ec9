package readlimit

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "cells.geojson")
	require.NoError(t, os.WriteFile(p, []byte("0123456789"), 0o644))

	data, err := File(p, 10)
	require.NoError(t, err)
	require.Equal(t, "0123456789", string(data))

	_, err = File(p, 9)
	require.EqualError(t, err, p+": 10 bytes: allowed: at most 9")

	_, err = File(filepath.Join(dir, "missing"), 9)
	require.ErrorIs(t, err, os.ErrNotExist)
}
