package scene

import (
	"fmt"
	"os"
	"path/filepath"

	"gocv.io/x/gocv"
)

// Version names the way scenes are made; a cache of staged videos keyed by
// it is remade when it changes.
const Version = "scenes-v1"

// Build writes every scene staged over vtest (vtest.avi) into dir as
// NAME.mp4, skipping those already there, and returns the scenes. chair is
// testdata's 000000000139.jpg.
func Build(vtest, chair, dir string) ([]Scene, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	person := filepath.Join(dir, "person.png")
	if _, err := os.Stat(person); err != nil {
		if err := cutFrame(vtest, PersonFrame, person); err != nil {
			return nil, err
		}
	}
	scenes := All(chair, person)
	var bg *gocv.Mat // made at the first scene that is not there yet
	defer func() {
		if bg != nil {
			bg.Close()
		}
	}()
	for _, s := range scenes {
		out := s.File(dir)
		if _, err := os.Stat(out); err == nil {
			continue
		}
		if bg == nil {
			m, err := Background(vtest)
			if err != nil {
				return nil, err
			}
			bg = &m
		}
		tmp := out + ".part.mp4"
		if err := s.Write(vtest, tmp, *bg); err != nil {
			return nil, fmt.Errorf("scene %s: %w", s.Name, err)
		}
		if err := os.Rename(tmp, out); err != nil {
			return nil, err
		}
	}
	return scenes, nil
}

// File is where Build writes the scene in dir.
func (s Scene) File(dir string) string { return filepath.Join(dir, s.Name+".mp4") }

// cutFrame writes frame n of video in to the picture out.
func cutFrame(in string, n int, out string) error {
	vc, err := gocv.VideoCaptureFile(in)
	if err != nil {
		return fmt.Errorf("open %s: %w", in, err)
	}
	defer vc.Close()
	m := gocv.NewMat()
	defer m.Close()
	for i := 0; i <= n; i++ {
		if !vc.Read(&m) {
			return fmt.Errorf("%s has no frame %d", in, n)
		}
	}
	if !gocv.IMWrite(out, m) {
		return fmt.Errorf("write %s", out)
	}
	return nil
}
