package detect

import "github.com/xiuhua/xiuhua/internal/modelspec"

// The manifest lives in internal/modelspec, shared with the server's model
// registry (which never links OpenCV); these aliases keep this package's
// names.

// Manifest describes one model: see modelspec.Manifest.
type Manifest = modelspec.Manifest

// Input describes the tensor the model takes: see modelspec.Input.
type Input = modelspec.Input

// Alignments of the letterboxed image.
const (
	AlignCenter  = modelspec.AlignCenter
	AlignTopLeft = modelspec.AlignTopLeft
)

// LoadManifest reads and validates the manifest at path; see
// modelspec.LoadManifest.
func LoadManifest(path string) (*Manifest, error) { return modelspec.LoadManifest(path) }

// ParseManifest decodes and validates a manifest held in memory; see
// modelspec.ParseManifest.
func ParseManifest(data []byte, dir string) (*Manifest, error) {
	return modelspec.ParseManifest(data, dir)
}

func finite(v float32) bool { return modelspec.Finite(v) }
