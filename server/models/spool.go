package models

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
)

// spool collects the elements of a JSON array in a temporary file, so that
// an export's per-image lists take disk, not memory; writeArray copies
// them out as one array at the end.
type spool struct {
	f *os.File
	w *bufio.Writer
	n int
}

func newSpool() (*spool, error) {
	f, err := os.CreateTemp("", "xiuhua-export-*.json")
	if err != nil {
		return nil, fmt.Errorf("export spool: %w", err)
	}
	return &spool{f: f, w: bufio.NewWriter(f)}, nil
}

func (s *spool) add(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if s.n > 0 {
		if err := s.w.WriteByte(','); err != nil {
			return fmt.Errorf("export spool: %w", err)
		}
	}
	if _, err := s.w.Write(b); err != nil {
		return fmt.Errorf("export spool: %w", err)
	}
	s.n++
	return nil
}

func (s *spool) writeArray(w io.Writer) error {
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("export spool: %w", err)
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("export spool: %w", err)
	}
	if _, err := io.WriteString(w, "["); err != nil {
		return err
	}
	if _, err := io.Copy(w, s.f); err != nil {
		return err
	}
	_, err := io.WriteString(w, "]")
	return err
}

// close removes the file.
func (s *spool) close() {
	s.f.Close()
	os.Remove(s.f.Name())
}
