package evidence

import (
	"fmt"
	"os"
	"sync"

	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
)

// fonts holds each font file parsed once per process. Every camera has a
// Labeler of its own (a font.Face is not safe for concurrent use), but a
// parsed sfnt.Font is (each call brings its own Buffer), and the Chinese
// fallback font is 4 MiB: 64 cameras each reading it cost 270 MiB.
var fonts sync.Map // path → *sfnt.Font

// parsedFont reads and parses the font file at path, or returns the copy
// parsed before. A font file that fails is not remembered.
func parsedFont(path string) (*sfnt.Font, error) {
	if f, ok := fonts.Load(path); ok {
		return f.(*sfnt.Font), nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("label font: %w", err)
	}
	coll, err := opentype.ParseCollection(data)
	if err != nil {
		return nil, fmt.Errorf("label font %s: %w", path, err)
	}
	f, err := coll.Font(0)
	if err != nil {
		return nil, fmt.Errorf("label font %s: %w", path, err)
	}
	actual, _ := fonts.LoadOrStore(path, f)
	return actual.(*sfnt.Font), nil
}
