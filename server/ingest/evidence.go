package ingest

import (
	"context"
	"fmt"
	"strings"

	"google.golang.org/grpc/codes"

	"github.com/xiuhua/xiuhua/server/blob"

	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// evidenceFile is one declared file being received.
type evidenceFile struct {
	decl *xiuhuav1.EvidenceFile
	sha  string      // declared, lowercase
	w    blob.Writer // open from the first chunk until the report is stored or refused
	got  int64
	done bool
}

// receiver checks chunks against the declarations and streams each file
// into the blob store's spool, checking its sha256 as soon as it is
// complete. Files are committed to the store only when the whole report has
// arrived (commit), so that a refused or broken stream leaves nothing
// behind. Files may interleave; within a file chunks follow each other with
// no gap or overlap. Not safe for concurrent use.
type receiver struct {
	ctx   context.Context
	blobs blob.Store
	m     *Metrics
	files map[string]*evidenceFile
	order []*evidenceFile
}

func newReceiver(ctx context.Context, blobs blob.Store, m *Metrics, decls []*xiuhuav1.EvidenceFile) *receiver {
	r := &receiver{ctx: ctx, blobs: blobs, m: m, files: map[string]*evidenceFile{}}
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
		w, err := r.blobs.Create(r.ctx)
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
		w, err := r.blobs.Create(r.ctx)
		if err != nil {
			return storageRefusal(fmt.Sprintf("evidence %q", f.decl.Name), err)
		}
		f.w = w
	}
	f.done = true
	if got := f.w.SHA256(); got != f.sha {
		f.w.Abort()
		f.w = nil
		return refuse(codes.DataLoss, reasonSHA256Mismatch,
			"evidence %q: received %d bytes with sha256 %s, declared %s", f.decl.Name, f.got, got, f.sha)
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

// commit makes every file durable in the blob store, after finish and
// before the report is recorded: an acknowledged report's evidence is in the
// store. Should recording then fail, the committed blobs are orphans until
// the resend refers to them again or the sweeper removes them.
func (r *receiver) commit() error {
	for _, f := range r.order {
		if _, err := f.w.Commit(r.ctx); err != nil {
			return storageRefusal(fmt.Sprintf("evidence %q", f.decl.Name), err)
		}
		f.w = nil
	}
	return nil
}

// abort discards files not committed.
func (r *receiver) abort() {
	for _, f := range r.order {
		if f.w != nil {
			f.w.Abort()
			f.w = nil
		}
	}
}
