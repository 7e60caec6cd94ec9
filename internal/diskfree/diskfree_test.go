package diskfree

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/internal/smalldisk"
)

// TestOfSeesAFileTakeRoom: on a 4 MiB tmpfs, the total is 4 MiB and a
// 1 MiB file takes 1 MiB of the free space.
func TestOfSeesAFileTakeRoom(t *testing.T) {
	if runtime.GOOS != "linux" {
		_, err := Of(t.TempDir())
		require.ErrorIs(t, err, ErrUnsupported)
		return
	}
	dir := smalldisk.Mount(t, 4<<20)
	before, err := Of(dir)
	require.NoError(t, err)
	require.Equal(t, uint64(4<<20), before.Total)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "f"), make([]byte, 1<<20), 0o600))
	after, err := Of(dir)
	require.NoError(t, err)
	require.Equal(t, before.Free-1<<20, after.Free)
	_, err = Of(filepath.Join(dir, "missing"))
	require.Error(t, err)
}
