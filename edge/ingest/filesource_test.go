package ingest

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gocv.io/x/gocv"
)

// makeFile writes 2 s of a 25 fps 160x120 pattern in the container ext.
func makeFile(t *testing.T, ext, codec string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "clip."+ext)
	out, err := exec.Command("ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi",
		"-i", "testsrc2=size=160x120:rate=25", "-t", "2", "-c:v", codec, "-pix_fmt", "yuv420p", p).CombinedOutput()
	require.NoError(t, err, "ffmpeg: %s", out)
	return p
}

func TestFileSourcePlaysContainers(t *testing.T) {
	tests := []struct {
		ext, codec string
		detectFPS  float64
		w, h       int
		want       int // frames handed out
	}{
		{"mp4", "libx264", 0, 0, 0, 50},
		{"avi", "mpeg4", 5, 0, 0, 10},
		{"ts", "libx264", 1, 80, 60, 2},
	}
	for _, tt := range tests {
		t.Run(tt.ext, func(t *testing.T) {
			src := NewFileSource(FileConfig{ID: "file", Path: makeFile(t, tt.ext, tt.codec), DetectFPS: tt.detectFPS,
				Width: tt.w, Height: tt.h}, discardLogger())
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			go src.Run(ctx)
			n := 0
			var last time.Time
			for f := range src.Frames() {
				wantW, wantH := 160, 120
				if tt.w > 0 {
					wantW, wantH = tt.w, tt.h
				}
				require.Equal(t, [2]int{wantW, wantH}, [2]int{f.Image.Cols(), f.Image.Rows()})
				require.Equal(t, gocv.MatTypeCV8UC3, f.Image.Type())
				require.True(t, f.Captured.After(last), "file time moves forward")
				last = f.Captured
				f.Image.Close()
				n++
			}
			require.InDelta(t, tt.want, n, 1)
			st := src.Status()
			require.Empty(t, st.LastError)
			require.Equal(t, uint64(50), st.FramesDecoded)
			require.Zero(t, st.FramesDropped, "offline reading never drops")
		})
	}
}

func TestFileSourceErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  FileConfig
		want string
	}{
		{"missing", FileConfig{ID: "f", Path: "/does/not/exist.mp4"}, "no such file"},
		{"not video", FileConfig{ID: "f", Path: "filesource_test.go"}, "f"},
		{"half a size", FileConfig{ID: "f", Path: "filesource_test.go", Width: 10}, "width, height"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := NewFileSource(tt.cfg, discardLogger())
			done := make(chan struct{})
			go func() {
				defer close(done)
				src.Run(context.Background())
			}()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("Run did not return for a bad file")
			}
			_, open := <-src.Frames()
			require.False(t, open)
			require.Contains(t, src.Status().LastError, tt.want)
			require.Equal(t, StateRetrying, src.Status().State)
		})
	}
}

func TestFileSourceRealtimeLoopsUntilCancelled(t *testing.T) {
	src := NewFileSource(FileConfig{ID: "f", Path: makeFile(t, "mp4", "libx264"), DetectFPS: 5, Realtime: true, Loop: true},
		discardLogger())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		src.Run(ctx)
	}()
	// Past the end of the 2 s file: it looped.
	eventually(t, 30*time.Second, "looped", func() bool { return src.Status().FramesDecoded > 60 })
	f := takeFrame(t, src, 10*time.Second)
	f.Image.Close()
	cancel()
	<-done
}
