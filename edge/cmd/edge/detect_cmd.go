package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"gocv.io/x/gocv"

	"github.com/xiuhua/xiuhua/edge/detect"
)

// detectFlags are the flags of "edge detect".
type detectFlags struct {
	model, image, video, out   string
	json                       bool
	backend, providers, ortLib string
	graphOpt                   string
	threads, every, maxFrames  int
}

func parseDetectFlags(args []string, stderr io.Writer) (detectFlags, error) {
	var f detectFlags
	fs := flag.NewFlagSet("edge detect", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.model, "model", "", "model manifest (YAML), e.g. models/yolox-nano.yaml (required)")
	fs.StringVar(&f.image, "image", "", "image file to run the model on")
	fs.StringVar(&f.video, "video", "", "video file to run the model on, printing the detections of each frame")
	fs.StringVar(&f.out, "out", "", "with --image: write a copy with the boxes drawn here (JPEG or PNG by extension)")
	fs.BoolVar(&f.json, "json", false, "print JSON (one object; one line per frame for --video) instead of text")
	fs.StringVar(&f.backend, "backend", "", "runtime: onnxruntime or opencv (default: the manifest's, else onnxruntime)")
	fs.StringVar(&f.providers, "providers", "", "onnxruntime execution providers to try in order, comma-separated, e.g. cuda,cpu (default cpu)")
	fs.StringVar(&f.graphOpt, "graph-opt", "", "onnxruntime graph optimisation: disable, basic, extended, all (default all)")
	fs.StringVar(&f.ortLib, "onnxruntime-library", "", "path of libonnxruntime.so (default: searched as the node does)")
	fs.IntVar(&f.threads, "threads", 0, "threads one inference uses (0: the runtime's default)")
	fs.IntVar(&f.every, "every", 1, "with --video: run the model on every Nth frame")
	fs.IntVar(&f.maxFrames, "max-frames", 0, "with --video: stop after this many frames run through the model (0: all)")
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	var bad []string
	if fs.NArg() > 0 {
		bad = append(bad, fmt.Sprintf("unexpected arguments %q", fs.Args()))
	}
	if f.model == "" {
		bad = append(bad, "--model is required")
	}
	if (f.image == "") == (f.video == "") {
		bad = append(bad, "give exactly one of --image and --video")
	}
	if f.out != "" && f.image == "" {
		bad = append(bad, "--out needs --image")
	}
	if f.every < 1 {
		bad = append(bad, fmt.Sprintf("--every %d: want 1 or more", f.every))
	}
	if f.maxFrames < 0 {
		bad = append(bad, fmt.Sprintf("--max-frames %d: want 0 or more", f.maxFrames))
	}
	if f.threads < 0 {
		bad = append(bad, fmt.Sprintf("--threads %d: want 0 or more", f.threads))
	}
	if len(bad) > 0 {
		return f, errors.New(strings.Join(bad, "; "))
	}
	return f, nil
}

func (f detectFlags) options(logger *slog.Logger) detect.Options {
	o := detect.Options{
		LibraryPath:       f.ortLib,
		IntraOpThreads:    f.threads,
		Backend:           f.backend,
		GraphOptimization: f.graphOpt,
		Logger:            logger,
	}
	for _, p := range strings.Split(f.providers, ",") {
		if p = strings.TrimSpace(p); p != "" {
			o.Providers = append(o.Providers, p)
		}
	}
	return o
}

// runDetect is "edge detect": it loads a model and prints what it finds in
// an image or in each frame of a video.
func runDetect(args []string, stdout, stderr io.Writer) int {
	f, err := parseDetectFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "edge detect: %v\n", err)
		return 2
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	m, err := detect.LoadManifest(f.model)
	if err != nil {
		fmt.Fprintf(stderr, "edge detect: %v\n", err)
		return 2
	}
	det, err := detect.Open(m, f.options(logger))
	if err != nil {
		fmt.Fprintf(stderr, "edge detect: %v\n", err)
		return 1
	}
	defer det.Close()
	if f.image != "" {
		err = detectImage(det, f, stdout)
	} else {
		err = detectVideo(det, f, stdout, logger)
	}
	if err != nil {
		fmt.Fprintf(stderr, "edge detect: %v\n", err)
		return 1
	}
	return 0
}

func detectImage(det detect.Detector, f detectFlags, stdout io.Writer) error {
	img := gocv.IMRead(f.image, gocv.IMReadColor)
	defer img.Close()
	if img.Empty() {
		return fmt.Errorf("cannot read image %q (missing, or not an image format OpenCV decodes)", f.image)
	}
	dets, err := det.Detect(img)
	if err != nil {
		return fmt.Errorf("image %q: %w", f.image, err)
	}
	if f.out != "" {
		if err := writeAnnotated(f.out, img, dets); err != nil {
			return err
		}
	}
	return printImage(stdout, f, det.Info(), img.Cols(), img.Rows(), dets)
}

// detectVideo prints each frame's detections. A frame the model fails on is
// reported and counted, and the run goes on: one bad frame should not hide
// the rest of an offline run; the exit status says some failed.
func detectVideo(det detect.Detector, f detectFlags, stdout io.Writer, logger *slog.Logger) error {
	vc, err := gocv.VideoCaptureFile(f.video)
	if err != nil {
		return fmt.Errorf("open video %q: %w", f.video, err)
	}
	defer vc.Close()
	if !vc.IsOpened() {
		return fmt.Errorf("open video %q: OpenCV cannot open it", f.video)
	}
	frame := gocv.NewMat()
	defer frame.Close()
	info := det.Info()
	ran, failed := 0, 0
	for i := 0; f.maxFrames == 0 || ran < f.maxFrames; i++ {
		if !vc.Read(&frame) || frame.Empty() {
			break
		}
		if i%f.every != 0 {
			continue
		}
		ms := vc.Get(gocv.VideoCapturePosMsec)
		ran++
		dets, err := det.Detect(frame)
		if err != nil {
			failed++
			logger.Error("frame failed", "video", f.video, "frame", i, "err", err)
			continue
		}
		if err := printFrame(stdout, f.json, info, i, ms, frame.Cols(), frame.Rows(), dets); err != nil {
			return err
		}
	}
	if ran == 0 {
		return fmt.Errorf("video %q: no frames could be read", f.video)
	}
	if failed > 0 {
		return fmt.Errorf("video %q: %d of %d frames failed", f.video, failed, ran)
	}
	return nil
}
