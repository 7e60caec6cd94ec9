package ingest

import (
	"fmt"
	"strings"

	"google.golang.org/grpc/codes"

	"github.com/xiuhua/xiuhua/server/blob"

	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// evidenceFile is one declared file being received.
type evidenceFile struct {
	decl *xiuhuav1.EvidenceFile
	sha  string       // declared, lowercase
	w    *blob.Writer // open from the first chunk until the file is complete
	got  int64
	done bool
}

// receiver checks chunks against the declarations and streams each file
// into the blob store, committing it as soon as it is complete and matches
// its sha256. Files may interleave; within a file chunks follow each other
// with no gap or overlap. Not safe for concurrent use.
type receiver struct {
	blobs *blob.Store
	m     *Metrics
	files map[string]*evidenceFile
	order []*evidenceFile
}

func newReceiver(blobs *blob.Store, m *Metrics, decls []*xiuhuav1.EvidenceFile) *receiver {
	r := &receiver{blobs: blobs, m: m, files: map[string]*evidenceFile{}}
	for _, d := range decls {
		f := &evidenceFile{decl: d, sha: strings.ToLower(d.Sha256)}
		r.files[d.Name] = f
		r.order = append(r.order, f)
	}
	return r
}

func (r *receiver) chunk(c *xiuhuav1.EvidenceChunk) error {
	f := r.files[c.Name]
	if f == nil {
		return refuse(codes.InvalidArgument, reasonUndeclaredFile, "chunk for undeclared evidence file %q", c.Name)
	}
	n := int64(len(c.Data))
	switch {
	case f.done:
		return refuse(codes.InvalidArgument, reasonOverflow,
			"evidence %q: chunk at offset %d after the file was complete (%d bytes)", c.Name, c.Offset, f.decl.Size)
	case c.Offset != f.got:
		return refuse(codes.InvalidArgument, reasonBadOffset,
			"evidence %q: chunk at offset %d, expected %d: chunks of a file must follow each other with no gap or overlap",
			c.Name, c.Offset, f.got)
	case f.got+n > f.decl.Size:
		return refuse(codes.InvalidArgument, reasonOverflow,
			"evidence %q: chunk at offset %d with %d bytes goes past the declared size %d", c.Name, c.Offset, n, f.decl.Size)
	}
	if f.w == nil {
		w, err := r.blobs.Create()
		if err != nil {
			return storageRefusal(fmt.Sprintf("evidence %q", c.Name), err)
		}
		f.w = w
	}
	if _, err := f.w.Write(c.Data); err != nil {
		return storageRefusal(fmt.Sprintf("evidence %q", c.Name), err)
	}
	f.got += n
	r.m.evidenceBytes.Add(float64(n))
	if f.got == f.decl.Size {
		return r.complete(f)
	}
	return nil
}

func (r *receiver) complete(f *evidenceFile) error {
	if f.w == nil { // an empty file gets no chunks
		w, err := r.blobs.Create()
		if err != nil {
			return storageRefusal(fmt.Sprintf("evidence %q", f.decl.Name), err)
		}
		f.w = w
	}
	w := f.w
	f.w, f.done = nil, true
	if got := w.SHA256(); got != f.sha {
		w.Abort()
		return refuse(codes.DataLoss, reasonSHA256Mismatch,
			"evidence %q: received %d bytes with sha256 %s, declared %s", f.decl.Name, f.got, got, f.sha)
	}
	if _, err := w.Commit(); err != nil {
		return storageRefusal(fmt.Sprintf("evidence %q", f.decl.Name), err)
	}
	return nil
}

// finish is called at the end of the stream: every file must be complete.
func (r *receiver) finish() error {
	for _, f := range r.order {
		if f.done {
			continue
		}
		if f.decl.Size == 0 {
			if err := r.complete(f); err != nil {
				return err
			}
			continue
		}
		return refuse(codes.DataLoss, reasonIncomplete,
			"evidence %q: stream ended after %d of %d bytes", f.decl.Name, f.got, f.decl.Size)
	}
	return nil
}

// abort discards files still being written; complete ones stay in the blob
// store, which is harmless: they are addressed by content.
func (r *receiver) abort() {
	for _, f := range r.order {
		if f.w != nil {
			f.w.Abort()
			f.w = nil
		}
	}
}
