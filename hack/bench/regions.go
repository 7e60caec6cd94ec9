package main

import (
	"flag"
	"fmt"
	"image"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/xiuhua/xiuhua/edge/config"
	"github.com/xiuhua/xiuhua/edge/decode"
	"github.com/xiuhua/xiuhua/edge/detect"
	"github.com/xiuhua/xiuhua/edge/pipeline"
	"github.com/xiuhua/xiuhua/edge/regions"
	"github.com/xiuhua/xiuhua/edge/rules"
)

// regionModes are the ways of looking that `bench regions` compares, on
// the same keyframes in one run: the whole frame, and the zones with the
// default tile budget and without a budget (every tile at the camera's
// resolution).
var regionZones = map[string][]rules.Zone{
	"1 zone": {{ID: "kerb", Polygon: frac(0.02, 0.55, 0.40, 0.98)}},
	"3 zones": {
		{ID: "kerb-left", Polygon: frac(0.02, 0.55, 0.40, 0.98)},
		{ID: "kerb-right", Polygon: frac(0.62, 0.60, 0.98, 0.98)},
		{ID: "frontage", Polygon: frac(0.30, 0.10, 0.70, 0.30)},
	},
}

func frac(x1, y1, x2, y2 float64) []rules.Point {
	return []rules.Point{{X: x1, Y: y1}, {X: x2, Y: y1}, {X: x2, Y: y2}, {X: x1, Y: y2}}
}

// runRegions measures CPU per look — decoding a 1080p keyframe, converting
// it to BGR, and running the detector — for the whole frame and for
// regions, and what that means for cameras on a box.
func runRegions(args []string) int {
	fs := flag.NewFlagSet("regions", flag.ExitOnError)
	looks := fs.Int("looks", 40, "looks per mode")
	threads := fs.String("threads", "0,1", "onnxruntime intra-op thread counts to compare (0: the runtime's default, as the edge)")
	cores := fs.Float64("cores", 2, "CPU cores of the box the camera count is for")
	every := fs.Duration("every", 2*time.Second, "time between looks of one camera (one per keyframe)")
	_ = fs.Parse(args)
	for _, t := range strings.Split(*threads, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(t))
		if err == nil {
			err = benchRegions(os.Stdout, *looks, n, *cores, *every)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench regions:", err)
			return 1
		}
	}
	return 0
}

type regionMode struct {
	name      string
	noDetect  bool         // decode and convert only
	zones     []rules.Zone // nil: the whole frame
	maxTiles  int
	fullEvery int
}

func benchRegions(out io.Writer, looks, threads int, cores float64, every time.Duration) error {
	keys, err := keyframes1080()
	if err != nil {
		return err
	}
	det, in, err := openBenchModel(threads)
	if err != nil {
		return err
	}
	defer det.Close()
	modes := []regionMode{{name: "decode + BGR, no detect", noDetect: true}, {name: "full frame"}}
	for _, z := range []string{"1 zone", "3 zones"} {
		for _, n := range []int{1, 2, 64} {
			name := fmt.Sprintf("%s, max_tiles %d", z, n)
			if n == config.DefaultMaxTiles {
				name += " (default)"
			}
			modes = append(modes, regionMode{name: name, zones: regionZones[z], maxTiles: n, fullEvery: config.DefaultFullFrameEvery})
		}
	}
	fmt.Fprintf(out, "\nCPU per look at 1920x1080 (keyframe decode + BGR + detect), %d looks a mode, %s, model.threads %d, one look per %v per camera, %.0f cores\n",
		looks, det.Info().Name, threads, every, cores)
	fmt.Fprintf(out, "%-32s %6s %8s %12s %14s %10s %8s\n", "mode", "tiles", "px/in", "CPU ms/look", "CPU-s/cam-s", "cams/box", "vs full")
	var fullCPU float64
	for _, m := range modes {
		r := regionsFor(m, in)
		tiles, coarse := "-", regions.FullCoarseness(image.Pt(1920, 1080), in)
		if r != nil {
			// What the camera will do: the same plan for every look.
			pl := regions.Fit(image.Pt(1920, 1080), r.Sources(image.Pt(1920, 1080)), r.Params)
			tiles = "whole" // not worth its tiles: the camera looks at the whole frame
			if pl.Worthwhile(in) {
				tiles, coarse = strconv.Itoa(len(pl.Tiles)), pl.Coarseness(in)
			}
		}
		d := det
		if m.noDetect {
			d = nil
		}
		perLook, err := cpuPerLook(d, r, keys, looks)
		if err != nil {
			return err
		}
		vsFull := "-"
		if r == nil && !m.noDetect {
			fullCPU = perLook
		}
		if fullCPU > 0 {
			vsFull = fmt.Sprintf("%.2fx", perLook/fullCPU)
		}
		perCamSec := perLook / every.Seconds()
		fmt.Fprintf(out, "%-32s %6s %8.2f %12.1f %14.4f %10.0f %8s\n", m.name, tiles, coarse, perLook*1000, perCamSec, cores/perCamSec, vsFull)
	}
	fmt.Fprintf(out, "(tiles: model runs a look, besides the whole frame every %d looks; whole: the plan is not %.1fx finer than the whole frame, so the camera looks at the whole frame; px/in: frame pixels per model input pixel, coarsest tile)\n",
		config.DefaultFullFrameEvery, regions.MinGain)
	return nil
}

// cpuPerLook is the process CPU of one look, averaged over looks keyframes
// after one unmeasured look that plans and warms up.
func cpuPerLook(det detect.Detector, r *pipeline.Regions, keys [][][]byte, looks int) (float64, error) {
	dec, err := decode.New(decode.H264)
	if err != nil {
		return 0, err
	}
	defer dec.Close()
	if err := look(dec, det, r, keys[0]); err != nil {
		return 0, err
	}
	cpu0 := processCPU()
	for i := range looks {
		if err := look(dec, det, r, keys[(i+1)%len(keys)]); err != nil {
			return 0, err
		}
	}
	return (processCPU() - cpu0).Seconds() / float64(looks), nil
}

// look decodes one keyframe, as keyframes-only ingest does (one decoder
// a camera, fed only keyframes, without the loop filter), converts it to
// BGR at the camera's size and detects on it.
func look(dec *decode.Decoder, det detect.Detector, r *pipeline.Regions, au [][]byte) error {
	dec.SetIntraOnly(true)
	ok, err := dec.Decode(au)
	if err != nil || !ok {
		return fmt.Errorf("decode keyframe: ok %v, err %v", ok, err)
	}
	img, err := dec.BGR()
	if err != nil {
		return err
	}
	defer img.Close()
	switch {
	case det == nil:
		return nil
	case r == nil:
		_, err = det.Detect(img)
	default:
		_, _, err = r.Detect(det, img, slog.New(slog.NewTextHandler(io.Discard, nil)))
	}
	return err
}

func regionsFor(m regionMode, in image.Point) *pipeline.Regions {
	if m.zones == nil {
		return nil
	}
	zs := m.zones
	return &pipeline.Regions{
		Sources:   func(f image.Point) []regions.Source { return regions.FromZones(zs, f) },
		Params:    regions.Params{Input: in, Overlap: config.DefaultTileOverlap, MaxTiles: m.maxTiles},
		FullEvery: m.fullEvery,
	}
}
