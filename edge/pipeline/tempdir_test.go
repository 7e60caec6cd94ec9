package pipeline

import (
	"os"
	"testing"
)

var packageTempDir string

// TestMain removes the folder tests share for staged videos, which is made
// once for the package rather than per test.
func TestMain(m *testing.M) {
	code := m.Run()
	if packageTempDir != "" {
		os.RemoveAll(packageTempDir)
	}
	os.Exit(code)
}

func tempDirForPackage() (string, error) {
	if packageTempDir == "" {
		d, err := os.MkdirTemp("", "xiuhua-pipeline-")
		if err != nil {
			return "", err
		}
		packageTempDir = d
	}
	return packageTempDir, nil
}
