package ortlib

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func touch(t *testing.T, p string) string {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(t, os.WriteFile(p, []byte("x"), 0o644))
	return p
}

func TestFindOrder(t *testing.T) {
	root := t.TempDir()
	explicit := touch(t, filepath.Join(root, "explicit", "libonnxruntime.so.1"))
	envLib := touch(t, filepath.Join(root, "env", "libonnxruntime.so.1"))
	xcache := filepath.Join(root, "xcache")
	xcacheLib := touch(t, filepath.Join(xcache, "onnxruntime-"+Version, "x64", "libonnxruntime.so.1"))
	user := filepath.Join(root, "user")
	userLib := touch(t, filepath.Join(user, "xiuhua", "onnxruntime-"+Version, "arm64", "libonnxruntime.so.1"))
	sys1, sys2 := filepath.Join(root, "usrlocallib"), filepath.Join(root, "usrlib")
	// Both names exist; the sorted first, libonnxruntime.so.1, is taken.
	touch(t, filepath.Join(sys2, "libonnxruntime.so.1.24.1"))
	touch(t, filepath.Join(sys2, "libonnxruntime.so.1"))
	sysLibFirst := filepath.Join(sys2, "libonnxruntime.so.1")

	mk := func(env map[string]string, arch string) search {
		return search{
			getenv:     func(k string) string { return env[k] },
			userCache:  func() (string, error) { return user, nil },
			goarch:     arch,
			systemDirs: []string{sys1, sys2},
		}
	}
	tests := []struct {
		name     string
		s        search
		explicit string
		want     string
	}{
		{"explicit wins", mk(map[string]string{"ORT_LIB": envLib, "XIUHUA_CACHE": xcache}, "amd64"), explicit, explicit},
		{"ORT_LIB next", mk(map[string]string{"ORT_LIB": envLib, "XIUHUA_CACHE": xcache}, "amd64"), "", envLib},
		{"XIUHUA_CACHE", mk(map[string]string{"XIUHUA_CACHE": xcache}, "amd64"), "", xcacheLib},
		{"user cache, arm64", mk(nil, "arm64"), "", userLib},
		{"system dirs", mk(nil, "amd64"), "", sysLibFirst},
		{"unknown arch skips cache", mk(map[string]string{"XIUHUA_CACHE": xcache}, "riscv64"), "", sysLibFirst},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.s.find(tt.explicit)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestFindErrors(t *testing.T) {
	root := t.TempDir()
	s := search{
		getenv:     func(string) string { return "" },
		userCache:  func() (string, error) { return filepath.Join(root, "cache"), nil },
		goarch:     "amd64",
		systemDirs: []string{filepath.Join(root, "a"), filepath.Join(root, "b")},
	}

	_, err := s.find("")
	require.Error(t, err)
	msg := err.Error()
	require.Contains(t, msg, filepath.Join(root, "cache", "xiuhua", "onnxruntime-"+Version, "x64", "libonnxruntime.so.1"))
	require.Contains(t, msg, filepath.Join(root, "a", "libonnxruntime.so*"))
	require.Contains(t, msg, filepath.Join(root, "b", "libonnxruntime.so*"))
	require.Contains(t, msg, "run hack/setup.sh or set ORT_LIB")

	// A named library that is missing must not fall through to another one.
	touch(t, filepath.Join(root, "b", "libonnxruntime.so"))
	_, err = s.find(filepath.Join(root, "nope.so"))
	require.ErrorContains(t, err, filepath.Join(root, "nope.so"))
	require.ErrorContains(t, err, "does not exist")

	s.getenv = func(k string) string {
		if k == "ORT_LIB" {
			return root
		}
		return ""
	}
	_, err = s.find("")
	require.ErrorContains(t, err, "$ORT_LIB")
	require.ErrorContains(t, err, "is a folder")
	require.False(t, errors.Is(err, os.ErrNotExist))
}
