package modelswap

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// fakeServer serves one model file over FetchModel streams: info first,
// then chunks from the requested offset. cut, when set, decides per stream
// how many bytes it sends before it ends (EOF) or breaks (err).
type fakeServer struct {
	info  *xiuhuav1.ModelInfo
	data  []byte
	chunk int
	cut   func(stream int) (bytes int, err error)
	skip  bool // send the second chunk at a wrong offset

	mu      sync.Mutex
	offsets []int64
}

func (f *fakeServer) FetchModel(ctx context.Context, req *xiuhuav1.FetchModelRequest) (xiuhuav1.EdgeService_FetchModelClient, error) {
	f.mu.Lock()
	n := len(f.offsets)
	f.offsets = append(f.offsets, req.Offset)
	f.mu.Unlock()
	msgs := []*xiuhuav1.FetchModelResponse{{Msg: &xiuhuav1.FetchModelResponse_Info{Info: f.info}}}
	limit, end := len(f.data), error(io.EOF)
	if f.cut != nil {
		if b, err := f.cut(n); b >= 0 {
			limit = min(int(req.Offset)+b, len(f.data))
			if err != nil {
				end = err
			}
		}
	}
	for off := int(req.Offset); off < limit; off += f.chunk {
		at := int64(off)
		if f.skip && off > int(req.Offset) {
			at += 7
		}
		msgs = append(msgs, &xiuhuav1.FetchModelResponse{Msg: &xiuhuav1.FetchModelResponse_Chunk{
			Chunk: &xiuhuav1.ModelChunk{Offset: at, Data: f.data[off:min(off+f.chunk, limit)]}}})
	}
	return &fakeStream{msgs: msgs, end: end}, nil
}

func (f *fakeServer) requests() []int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]int64(nil), f.offsets...)
}

type fakeStream struct {
	grpc.ClientStream
	msgs []*xiuhuav1.FetchModelResponse
	end  error
}

func (s *fakeStream) Recv() (*xiuhuav1.FetchModelResponse, error) {
	if len(s.msgs) == 0 {
		return nil, s.end
	}
	m := s.msgs[0]
	s.msgs = s.msgs[1:]
	return m, nil
}

// served is a generated model as the server would offer it, with its
// assignment.
func served(t testing.TB, version string, out []float32) (*fakeServer, *xiuhuav1.ModelAssignment) {
	t.Helper()
	data := nmsFreeModel(out, nil)
	sum := sha256Hex(data)
	manifest := fmt.Sprintf(genManifest, "gen", version, "model.onnx", sum, "a, b, c")
	ref := &xiuhuav1.ModelRef{Name: "gen", Version: version, Sha256: sum}
	srv := &fakeServer{
		info:  &xiuhuav1.ModelInfo{Name: "gen", Version: version, Sha256: sum, Size: int64(len(data)), Manifest: []byte(manifest)},
		data:  data,
		chunk: 32,
	}
	return srv, &xiuhuav1.ModelAssignment{AssignmentId: "as-" + version, Model: ref, Size: int64(len(data)), MaxErrorRate: 0.5}
}

func newDownloader(dir string, f Fetcher) *Downloader {
	return &Downloader{Dir: dir, Fetch: f, Attempts: 3, RetryDelay: 1}
}

func partFile(dir string, a *xiuhuav1.ModelAssignment) string {
	return filepath.Join(dir, "gen", a.Model.Version, a.Model.Sha256+".onnx.part")
}

// A stream that breaks halfway is resumed from the bytes already held, and
// the model is then installed and runs.
func TestDownloadResumesAfterBrokenStream(t *testing.T) {
	srv, a := served(t, "2", goodOut)
	srv.cut = func(stream int) (int, error) {
		if stream == 0 {
			return 96, status.Error(codes.Unavailable, "connection reset")
		}
		return -1, nil
	}
	dir := t.TempDir()
	var progress []int64
	d := newDownloader(dir, srv)
	d.Progress = func(n int64) { progress = append(progress, n) }
	path, err := d.Download(context.Background(), a)
	require.NoError(t, err)
	require.Equal(t, []int64{0, 96}, srv.requests(), "the second stream resumes at the first one's end")
	require.Equal(t, int64(len(srv.data)), progress[len(progress)-1])
	got, err := os.ReadFile(filepath.Join(dir, "gen", "2", "model.onnx"))
	require.NoError(t, err)
	require.Equal(t, srv.data, got)
	require.NoFileExists(t, partFile(dir, a))
	require.Equal(t, filepath.Join(dir, "gen", "2", "manifest.yaml"), path)

	// Already there and intact: not fetched again.
	path2, err := newDownloader(dir, &fakeServer{}).Download(context.Background(), a)
	require.NoError(t, err)
	require.Equal(t, path, path2)
}

// Streams that keep ending early fail the download with how far it got,
// keep the partial file, and a later download resumes from it.
func TestDownloadTruncatedThenResumed(t *testing.T) {
	srv, a := served(t, "2", goodOut)
	srv.cut = func(int) (int, error) { return 64, nil } // a clean EOF after 64 bytes
	dir := t.TempDir()
	_, err := newDownloader(dir, srv).Download(context.Background(), a)
	require.ErrorContains(t, err, fmt.Sprintf("truncated: the stream ended at 192 of %d bytes", len(srv.data)))
	st, err := os.Stat(partFile(dir, a))
	require.NoError(t, err)
	require.Equal(t, int64(192), st.Size())
	require.Equal(t, []int64{0, 64, 128}, srv.requests())

	srv.cut = nil
	_, err = newDownloader(dir, srv).Download(context.Background(), a)
	require.NoError(t, err)
	require.Equal(t, []int64{0, 64, 128, 192}, srv.requests())
}

func TestDownloadRefusals(t *testing.T) {
	cases := []struct {
		name     string
		change   func(*fakeServer, *xiuhuav1.ModelAssignment)
		want     string
		partLeft bool
	}{
		{"file does not match its sha256", func(s *fakeServer, _ *xiuhuav1.ModelAssignment) {
			s.data = append([]byte(nil), s.data...)
			s.data[10] ^= 0xff
		}, "sha256 mismatch: the downloaded file has", false},
		{"server offers another file", func(s *fakeServer, _ *xiuhuav1.ModelAssignment) {
			s.info = &xiuhuav1.ModelInfo{Name: "gen", Version: "2", Sha256: sha256Hex([]byte("other")), Size: s.info.Size}
		}, "server offers gen 2 sha256", false},
		{"size differs from the assignment", func(_ *fakeServer, a *xiuhuav1.ModelAssignment) { a.Size++ }, "the assignment", false},
		{"chunks out of order", func(s *fakeServer, _ *xiuhuav1.ModelAssignment) { s.skip = true }, "expected 96: out-of-order stream", true},
		{"manifest names a path", func(s *fakeServer, _ *xiuhuav1.ModelAssignment) {
			s.info.Manifest = []byte("onnx: ../../escape.onnx\n")
		}, `onnx "../../escape.onnx": want a plain file name`, true}, // verified bytes, kept
		{"manifest describes another model", func(s *fakeServer, _ *xiuhuav1.ModelAssignment) {
			s.info.Manifest = []byte(fmt.Sprintf(genManifest, "gen", "9", "model.onnx", s.info.Sha256, "a"))
		}, "manifest describes gen 9", false},
		{"unsafe model name", func(_ *fakeServer, a *xiuhuav1.ModelAssignment) { a.Model.Name = "../etc" }, `model "../etc"`, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, a := served(t, "2", goodOut)
			tc.change(srv, a)
			dir := t.TempDir()
			_, err := newDownloader(dir, srv).Download(context.Background(), a)
			require.ErrorContains(t, err, tc.want)
			if tc.partLeft {
				require.FileExists(t, partFile(dir, a))
			} else {
				require.NoFileExists(t, partFile(dir, a))
			}
			require.NoFileExists(t, filepath.Join(dir, "gen", "2", "manifest.yaml"), "nothing reusable is left")
		})
	}
}

// fullDisk accepts room bytes, then fails writes with ENOSPC.
type fullDisk struct {
	f    *os.File
	room *int
}

func (d fullDisk) Write(p []byte) (int, error) {
	if len(p) > *d.room {
		n, _ := d.f.Write(p[:*d.room])
		*d.room = 0
		return n, &os.PathError{Op: "write", Path: d.f.Name(), Err: syscall.ENOSPC}
	}
	*d.room -= len(p)
	return d.f.Write(p)
}
func (d fullDisk) Sync() error  { return d.f.Sync() }
func (d fullDisk) Close() error { return d.f.Close() }

// A disk that fills during the download fails it as "disk full", removes
// the partial file, and leaves the running model as it was.
func TestDownloadDiskFull(t *testing.T) {
	dir := t.TempDir()
	v1 := genModel(t, filepath.Join(dir, "v1"), "1", nmsFreeModel(goodOut, nil), "a, b, c")
	mgr, st := newTestManager(t, testConfig(), v1)
	srv, a := served(t, "2", goodOut)
	room := 100
	d := newDownloader(filepath.Join(dir, "models"), srv)
	d.Create = func(path string) (File, error) {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		return fullDisk{f: f, room: &room}, err
	}
	err := NewAssignments(mgr, d, nil).Handle(context.Background(), a)
	require.ErrorIs(t, err, ErrDiskFull)
	require.ErrorContains(t, err, "download: download gen 2: disk full: write ")
	require.ErrorContains(t, err, "no space left on device; the partial file is removed")
	require.NoFileExists(t, partFile(filepath.Join(dir, "models"), a))
	require.Equal(t, []int64{0}, srv.requests(), "a full disk is not retried")
	last := st.last()
	require.Equal(t, stateFailed, last.GetState())
	require.Contains(t, last.GetReason(), "disk full")
	require.Equal(t, "1", last.GetRunning().GetVersion())
	require.Equal(t, "1", mgr.Info().Version)
	require.Nil(t, mgr.Refused(a.AssignmentId, a.Model.Sha256), "a download failure is tried again at the next assignment")
	require.False(t, errors.Is(err, ErrBusy))
}

// An assignment is downloaded and installed; repeats of it are answered
// with the status rather than acted on again.
func TestAssignmentsDownloadInstallAndRepeat(t *testing.T) {
	dir := t.TempDir()
	v1 := genModel(t, filepath.Join(dir, "v1"), "1", nmsFreeModel(goodOut, nil), "a, b, c")
	mgr, st := newTestManager(t, testConfig(), v1)
	srv, a := served(t, "2", goodOut)
	as := NewAssignments(mgr, newDownloader(filepath.Join(dir, "models"), srv), nil)
	require.NoError(t, as.Handle(context.Background(), a))
	require.Equal(t, "2", mgr.Info().Version)
	require.Equal(t, []xiuhuav1.ModelState{xiuhuav1.ModelState_MODEL_STATE_DOWNLOADING, stateWarming, stateProbation}, st.states())

	require.NoError(t, as.Handle(context.Background(), a))
	require.Equal(t, stateProbation, st.last().GetState(), "a repeat reports where the edge is")
	require.Len(t, srv.requests(), 1)

	// A model that fails its smoke run is refused once; the repeat of its
	// assignment is answered from memory, without another download.
	bad, b := served(t, "3", nanOut)
	for range testConfig().ErrorWindow {
		_, err := mgr.Detect(frame(t, 0))
		require.NoError(t, err)
	}
	as.Download.Fetch = bad
	require.ErrorContains(t, as.Handle(context.Background(), b), "smoke run")
	require.NoError(t, as.Handle(context.Background(), b))
	require.Len(t, bad.requests(), 1)
	last := st.last()
	require.Equal(t, stateFailed, last.GetState())
	require.Equal(t, "3", last.GetTarget().GetVersion())
	require.Equal(t, "2", last.GetRunning().GetVersion())
}
