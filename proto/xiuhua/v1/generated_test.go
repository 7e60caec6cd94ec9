package xiuhuav1_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/internal/testdata"
)

// TestGeneratedCodeIsFresh regenerates the protobuf code into a temporary
// folder and fails when the committed files differ: someone edited a .proto
// and forgot `make proto`.
func TestGeneratedCodeIsFresh(t *testing.T) {
	if _, err := exec.LookPath("protoc"); err != nil {
		t.Fatal("protoc is not installed (run hack/setup.sh): cannot check that the generated code is fresh")
	}
	root, err := testdata.RepoRoot()
	require.NoError(t, err)
	out := t.TempDir()
	cmd := exec.Command("bash", filepath.Join(root, "hack", "gen-proto.sh"), out)
	cmd.Dir = root
	msg, err := cmd.CombinedOutput()
	require.NoError(t, err, "hack/gen-proto.sh: %s", msg)

	committed, err := filepath.Glob(filepath.Join(root, "proto", "xiuhua", "v1", "*.pb.go"))
	require.NoError(t, err)
	fresh, err := filepath.Glob(filepath.Join(out, "proto", "xiuhua", "v1", "*.pb.go"))
	require.NoError(t, err)
	require.Equal(t, len(fresh), len(committed), "generated file set differs: run make proto")
	for _, f := range fresh {
		want, err := os.ReadFile(f)
		require.NoError(t, err)
		got, err := os.ReadFile(filepath.Join(root, "proto", "xiuhua", "v1", filepath.Base(f)))
		require.NoError(t, err, "missing generated file: run make proto")
		require.Equal(t, string(want), string(got), "%s is stale: run make proto", filepath.Base(f))
	}
}
