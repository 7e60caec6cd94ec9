package dockerfile

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/internal/testdata"
)

// TestDockerfileBuildStage does what a Docker engine would do with the
// repository's Dockerfile, as far as this machine can without one (no
// engine, no base images): every file a COPY takes from the build context
// exists; the build stage's one build command, hack/build.sh, runs and
// makes every file a later stage copies from it; the server needs no
// shared library but the C library's (its image has no others) and the
// edge's libraries are all collected; onnxruntime is in both images with
// ORT_LIB pointing at it and the sha256 hack/setup.sh pins; and each
// ENTRYPOINT's flags are flags of its binary.
func TestDockerfileBuildStage(t *testing.T) {
	root, err := testdata.RepoRoot()
	require.NoError(t, err)
	src, err := os.ReadFile(filepath.Join(root, "Dockerfile"))
	require.NoError(t, err)
	ins, err := Parse(string(src))
	require.NoError(t, err)

	out := t.TempDir()
	var builds int
	for _, in := range ins {
		if in.Stage == "build" && in.Cmd == "RUN" && strings.Contains(in.Args, "hack/build.sh") {
			builds++
			require.Equal(t, "hack/build.sh /out", in.Args, "line %d: the build stage runs the script and only it", in.Line)
		}
	}
	require.Equal(t, 1, builds, "the build stage runs hack/build.sh once")
	st, err := os.Stat(filepath.Join(root, "hack", "build.sh"))
	require.NoError(t, err)
	require.NotZero(t, st.Mode()&0o111, "hack/build.sh must be executable")

	// Bounded generously: the first build compiles OpenCV's bindings,
	// minutes on a busy 2-core machine; later ones come from the cache.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(root, "hack", "build.sh"), out)
	cmd.Dir = root
	b, err := cmd.CombinedOutput()
	require.NoError(t, err, "hack/build.sh: %s", b)

	env := map[string]string{} // stage → ORT_LIB
	libDest := map[string]string{}
	for _, in := range ins {
		switch in.Cmd {
		case "COPY":
			c, err := ParseCopy(in)
			require.NoError(t, err)
			for _, s := range c.Sources {
				switch c.From {
				case "":
					m, err := filepath.Glob(filepath.Join(root, s))
					require.NoError(t, err)
					require.NotEmpty(t, m, "line %d: COPY %s: nothing in the repository", in.Line, s)
				case "build":
					rel, ok := strings.CutPrefix(s, "/out/")
					require.True(t, ok, "line %d: COPY --from=build takes %s, not under /out", in.Line, s)
					_, err := os.Stat(filepath.Join(out, rel))
					require.NoError(t, err, "line %d: hack/build.sh did not make %s", in.Line, s)
				}
				if strings.HasSuffix(s, "libonnxruntime.so.1") {
					libDest[in.Stage] = c.Dest
				}
			}
		case "ENV":
			if v, ok := strings.CutPrefix(in.Args, "ORT_LIB="); ok {
				env[in.Stage] = v
			}
		}
	}
	for _, stage := range []string{"server", "edge"} {
		require.NotEmpty(t, libDest[stage], "the %s image has no onnxruntime", stage)
		require.Equal(t, libDest[stage], env[stage], "the %s image's ORT_LIB is not where onnxruntime was copied", stage)
	}
	checkORTSum(t, root, ins)

	libs := sharedLibs(t, filepath.Join(out, "server"))
	for _, l := range libs {
		require.True(t, isCLibrary(l), "the server needs %s, which its image lacks", l)
	}
	for _, l := range sharedLibs(t, filepath.Join(out, "edge")) {
		if isCLibrary(l) {
			continue
		}
		_, err := os.Stat(filepath.Join(out, "libs", l))
		require.NoError(t, err, "the edge needs %s, which hack/build.sh did not collect", l)
	}
	checkEntrypoints(t, ins, out)
}

// isCLibrary: what every Debian image has, and hack/build.sh leaves out.
var cLibrary = regexp.MustCompile(`/(libc|libm|libpthread|libdl|librt|ld-linux[^/]*)[.-][^/]*$`)

func isCLibrary(path string) bool { return cLibrary.MatchString(path) }

func sharedLibs(t *testing.T, bin string) []string {
	t.Helper()
	b, err := exec.Command("ldd", bin).CombinedOutput()
	require.NoError(t, err, "ldd %s: %s", bin, b)
	var libs []string
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) >= 3 && f[1] == "=>" && strings.HasPrefix(f[2], "/"):
			libs = append(libs, f[2])
		case len(f) >= 1 && strings.HasPrefix(f[0], "/"):
			libs = append(libs, f[0]) // the loader
		}
	}
	require.NotEmpty(t, libs, "ldd %s: %s", bin, b)
	return libs
}

// checkORTSum: the ort stage checks the library against the sha256s that
// hack/setup.sh pins, so both images and the tests run the same build.
func checkORTSum(t *testing.T, root string, ins []Instruction) {
	t.Helper()
	setup, err := os.ReadFile(filepath.Join(root, "hack", "setup.sh"))
	require.NoError(t, err)
	sums := regexp.MustCompile(`\b[0-9a-f]{64}\b`)
	var n int
	for _, in := range ins {
		if in.Stage != "ort" || in.Cmd != "RUN" {
			continue
		}
		for _, s := range sums.FindAllString(in.Args, -1) {
			n++
			require.Contains(t, string(setup), s, "the ort stage's sha256 %s is not hack/setup.sh's", s)
		}
	}
	require.Positive(t, n, "the ort stage checks no sha256")
}

// checkEntrypoints: each flag an ENTRYPOINT passes is in its binary's usage.
func checkEntrypoints(t *testing.T, ins []Instruction, out string) {
	t.Helper()
	var n int
	for _, in := range ins {
		if in.Cmd != "ENTRYPOINT" {
			continue
		}
		argv, err := Exec(in)
		require.NoError(t, err)
		bin := filepath.Join(out, filepath.Base(argv[0]))
		usage, _ := exec.Command(bin, "-h").CombinedOutput() // -h may exit 0 or 2
		for _, a := range argv[1:] {
			if strings.HasPrefix(a, "-") {
				n++
				require.Contains(t, string(usage), "  "+a+" ", "line %d: %s has no flag %s", in.Line, argv[0], a)
			}
		}
	}
	require.Positive(t, n)
}
