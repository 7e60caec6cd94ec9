package vision_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// The packages that only reason about boxes must keep building without
// cgo: their tests then run on any machine, OpenCV or not. A new import
// of edge/detect (or anything else with cgo beneath it) fails here.
func TestCgoFreePackages(t *testing.T) {
	pkgs := []string{"./edge/vision", "./edge/rules", "./edge/track", "./edge/config"}
	cmd := exec.Command("go", append([]string{"list", "-deps", "-f", "{{.ImportPath}} {{if .CgoFiles}}cgo{{end}}"}, pkgs...)...)
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list with CGO_ENABLED=0 (a package needs cgo): %v\n%s", err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasSuffix(line, " cgo") {
			t.Errorf("%s uses cgo beneath %v", strings.TrimSuffix(line, " cgo"), pkgs)
		}
	}
}
