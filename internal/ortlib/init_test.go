package ortlib

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	ort "github.com/yalue/onnxruntime_go"
)

func TestInit(t *testing.T) {
	lib, err := Find("")
	require.NoError(t, err, "the tests need the real library")

	// A file that is not a shared library fails, and leaves Init retryable.
	bogus := filepath.Join(t.TempDir(), "libonnxruntime.so.1")
	require.NoError(t, os.WriteFile(bogus, []byte("not an ELF file"), 0o644))
	err = Init(bogus)
	require.ErrorContains(t, err, bogus)
	require.Empty(t, Loaded())

	require.NoError(t, Init(lib))
	require.Equal(t, lib, Loaded())
	require.True(t, ort.IsInitialized())
	require.Contains(t, ort.GetVersion(), Version)

	require.NoError(t, Init(""), "empty path reuses the loaded library")
	require.NoError(t, Init(lib), "same path is a no-op")

	link := filepath.Join(t.TempDir(), "libonnxruntime.so")
	require.NoError(t, os.Symlink(lib, link))
	require.NoError(t, Init(link), "a link to the loaded library is the same library")

	other := filepath.Join(t.TempDir(), "libonnxruntime.so.1")
	require.NoError(t, os.WriteFile(other, []byte("x"), 0o644))
	err = Init(other)
	require.ErrorContains(t, err, "already initialised from")
	require.ErrorContains(t, err, other)
}
