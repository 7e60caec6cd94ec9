package ingest

import (
	"context"
	"errors"
	"fmt"
	"image"
	"log/slog"
	"os"
	"sync/atomic"
	"time"

	"gocv.io/x/gocv"
)

// FileConfig describes a video file played as a source.
type FileConfig struct {
	// ID names the source in logs, metrics and frames.
	ID string
	// Path is an mp4, avi, ts or any other file OpenCV's FFmpeg backend reads.
	Path string
	// DetectFPS is how many frames per second of video are handed out; 0
	// hands out every frame.
	DetectFPS float64
	// Width and Height scale the handed-out pictures; 0, 0 keeps the size.
	Width, Height int
	// Realtime paces the file at its own frame rate and hands frames out
	// drop-oldest, like a camera. Otherwise the file is read as fast as the
	// consumer takes frames and none is dropped: offline analysis.
	Realtime bool
	// Loop starts the file again at its end instead of stopping.
	Loop bool
}

// FileSource plays a video file through OpenCV's VideoCapture behind the
// same Source interface as a Camera: for tests and offline analysis.
// Captured times are the file's own timestamps, counted from when Run
// started, so a file analysed faster than real time keeps its timeline.
type FileSource struct {
	cfg     FileConfig
	log     *slog.Logger
	out     handoff
	started atomic.Bool
	seq     uint64

	framesReceived, framesDecoded, framesDropped, decodeErrors atomic.Uint64
	state                                                      atomic.Int32
	lastError                                                  atomic.Pointer[string]
}

// NewFileSource makes a file source; logger may be nil.
func NewFileSource(cfg FileConfig, logger *slog.Logger) *FileSource {
	if logger == nil {
		logger = slog.Default()
	}
	return &FileSource{cfg: cfg, log: logger.With("component", "ingest", "source", cfg.ID), out: newHandoff()}
}

// Frames delivers sampled frames; closed when Run returns.
func (f *FileSource) Frames() <-chan Frame { return f.out.ch }

// Status is a snapshot; safe from any goroutine. Reconnects counts loops.
func (f *FileSource) Status() Status {
	st := Status{
		State:          State(f.state.Load()),
		FramesReceived: f.framesReceived.Load(),
		FramesDecoded:  f.framesDecoded.Load(),
		FramesDropped:  f.framesDropped.Load(),
		DecodeErrors:   f.decodeErrors.Load(),
	}
	if e := f.lastError.Load(); e != nil {
		st.LastError = *e
	}
	return st
}

// Run plays the file until its end (or forever with Loop) or until ctx
// ends, then closes Frames. An unreadable file is reported in Status and
// ends Run. Call it once.
func (f *FileSource) Run(ctx context.Context) {
	if !f.started.CompareAndSwap(false, true) {
		panic("ingest: FileSource.Run called twice")
	}
	defer func() { f.framesDropped.Add(uint64(f.out.close())) }()
	if err := f.run(ctx); err != nil && ctx.Err() == nil {
		msg := err.Error()
		f.lastError.Store(&msg)
		f.state.Store(int32(StateRetrying))
		f.log.Error("file source failed", "err", err)
	}
}

func (f *FileSource) run(ctx context.Context) error {
	if (f.cfg.Width == 0) != (f.cfg.Height == 0) || f.cfg.Width < 0 || f.cfg.Height < 0 {
		return fmt.Errorf("file %q: width, height %dx%d: want both 0 or both positive", f.cfg.ID, f.cfg.Width, f.cfg.Height)
	}
	if _, err := os.Stat(f.cfg.Path); err != nil {
		return fmt.Errorf("file %q: %w", f.cfg.ID, err)
	}
	start := time.Now()
	var offset time.Duration // file time of earlier loops
	sample := newSampler(f.cfg.DetectFPS)
	for loop := 0; ; loop++ {
		length, err := f.playOnce(ctx, start, offset, sample)
		if err != nil || ctx.Err() != nil {
			return err
		}
		if !f.cfg.Loop {
			return nil
		}
		if length <= 0 {
			return fmt.Errorf("file %q: %s has no frames", f.cfg.ID, f.cfg.Path)
		}
		offset += length
	}
}

// playOnce plays the file once and returns its length.
func (f *FileSource) playOnce(ctx context.Context, start time.Time, offset time.Duration, sample *sampler) (time.Duration, error) {
	vc, err := gocv.VideoCaptureFile(f.cfg.Path)
	if err != nil {
		return 0, fmt.Errorf("file %q: open %s: %w", f.cfg.ID, f.cfg.Path, err)
	}
	defer vc.Close()
	if !vc.IsOpened() {
		return 0, fmt.Errorf("file %q: OpenCV cannot read %s", f.cfg.ID, f.cfg.Path)
	}
	f.state.Store(int32(StateStreaming))
	step := time.Second / 25
	if fps := vc.Get(gocv.VideoCaptureFPS); fps > 0 && fps < 1000 {
		step = time.Duration(float64(time.Second) / fps)
	}
	img := gocv.NewMat()
	defer img.Close()
	var pos time.Duration
	n := 0
	for ctx.Err() == nil {
		if !vc.Read(&img) {
			break
		}
		if img.Empty() {
			f.decodeErrors.Add(1)
			continue
		}
		f.framesReceived.Add(1)
		f.framesDecoded.Add(1)
		// The container's timestamp where it has one, else frame count.
		pos = time.Duration(float64(n) * float64(step))
		if ms := vc.Get(gocv.VideoCapturePosMsec); ms > 0 {
			pos = time.Duration(ms * float64(time.Millisecond))
		}
		n++
		at := start.Add(offset + pos)
		if f.cfg.Realtime {
			if !sleepUntil(ctx, at) {
				break
			}
		}
		if !sample.take(at) {
			continue
		}
		out, err := f.convert(img)
		if err != nil {
			f.decodeErrors.Add(1)
			continue
		}
		f.seq++
		fr := Frame{CameraID: f.cfg.ID, Seq: f.seq, Captured: at, Image: out}
		if f.cfg.Realtime {
			f.framesDropped.Add(uint64(f.out.put(fr)))
			continue
		}
		select {
		case f.out.ch <- fr:
		case <-ctx.Done():
			fr.Image.Close()
		}
	}
	if n == 0 && ctx.Err() == nil {
		return 0, fmt.Errorf("file %q: no frame could be read from %s", f.cfg.ID, f.cfg.Path)
	}
	return pos + step, nil
}

// convert copies (and scales) a picture into a new Mat for the consumer.
func (f *FileSource) convert(img gocv.Mat) (gocv.Mat, error) {
	out := gocv.NewMat()
	if f.cfg.Width > 0 {
		gocv.Resize(img, &out, image.Pt(f.cfg.Width, f.cfg.Height), 0, 0, gocv.InterpolationArea)
	} else {
		img.CopyTo(&out)
	}
	if out.Empty() || out.Type() != gocv.MatTypeCV8UC3 {
		out.Close()
		return gocv.Mat{}, errors.New("picture is not 8-bit BGR")
	}
	return out, nil
}

// sleepUntil waits for t or ctx; false means ctx ended.
func sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return true
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-tm.C:
		return true
	}
}
