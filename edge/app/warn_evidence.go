package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"google.golang.org/protobuf/proto"

	"github.com/xiuhua/xiuhua/edge/outbox"
	"github.com/xiuhua/xiuhua/internal/durable"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// keptFile is a file's description in files.json; the data is the file
// of the same name beside it.
type keptFile struct {
	Name        string                `json:"name"`
	Kind        xiuhuav1.EvidenceKind `json:"kind"`
	ContentType string                `json:"content_type"`
}

const keptReport, keptIndex = "report.pb", "files.json"

// A warn-first violation's first look is kept on disk during the grace
// period, one folder per event: the report as the pipeline built it and
// its evidence files, so the case filed later shows the object as it was
// when warned.
//
// keep writes the report and its files under dir, each fsynced, the index
// last: a folder without an index was not kept (a crash while writing).
func keep(dir string, rep *xiuhuav1.ViolationReport, files []outbox.File) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("keep violation: %w", err)
	}
	b, err := proto.Marshal(rep)
	if err != nil {
		return fmt.Errorf("keep violation: encode report: %w", err)
	}
	if err := writeSync(filepath.Join(dir, keptReport), b); err != nil {
		return err
	}
	index := make([]keptFile, len(files))
	for i, f := range files {
		if err := outbox.ValidateName(f.Name); err != nil {
			return fmt.Errorf("keep violation: %w", err)
		}
		if f.Name == keptReport || f.Name == keptIndex || f.Name == afterGrace {
			return fmt.Errorf("keep violation: file name %q is the flow's own", f.Name)
		}
		if err := writeSync(filepath.Join(dir, f.Name), f.Data); err != nil {
			return err
		}
		index[i] = keptFile{Name: f.Name, Kind: f.Kind, ContentType: f.ContentType}
	}
	return addKept(dir, index)
}

// addKept writes the index, then syncs the folder so the files are found
// after a power cut.
func addKept(dir string, index []keptFile) error {
	b, err := json.Marshal(index)
	if err != nil {
		return fmt.Errorf("keep violation: %w", err)
	}
	if err := writeSync(filepath.Join(dir, keptIndex), b); err != nil {
		return err
	}
	return durable.SyncDir(dir)
}

// load reads back what keep wrote.
func loadKept(dir string) (*xiuhuav1.ViolationReport, []outbox.File, error) {
	b, err := os.ReadFile(filepath.Join(dir, keptReport))
	if err != nil {
		return nil, nil, fmt.Errorf("load kept violation: %w", err)
	}
	rep := &xiuhuav1.ViolationReport{}
	if err := proto.Unmarshal(b, rep); err != nil {
		return nil, nil, fmt.Errorf("load kept violation %s: %w", dir, err)
	}
	ib, err := os.ReadFile(filepath.Join(dir, keptIndex))
	if err != nil {
		return nil, nil, fmt.Errorf("load kept violation: %w", err)
	}
	var index []keptFile
	if err := json.Unmarshal(ib, &index); err != nil {
		return nil, nil, fmt.Errorf("load kept violation %s: %w", dir, err)
	}
	files := make([]outbox.File, 0, len(index))
	for _, k := range index {
		if outbox.ValidateName(k.Name) != nil || k.Name == keptReport || k.Name == keptIndex || k.Name == afterGrace {
			return nil, nil, fmt.Errorf("load kept violation %s: bad file name %q", dir, k.Name)
		}
		data, err := os.ReadFile(filepath.Join(dir, k.Name))
		if err != nil {
			return nil, nil, fmt.Errorf("load kept violation: %w", err)
		}
		files = append(files, outbox.File{Name: k.Name, Kind: k.Kind, ContentType: k.ContentType, Data: data})
	}
	return rep, files, nil
}

func writeSync(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return fmt.Errorf("keep violation: %w", err)
	}
	_, werr := f.Write(data)
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		return fmt.Errorf("keep violation: write %s: %w", path, err)
	}
	return nil
}
