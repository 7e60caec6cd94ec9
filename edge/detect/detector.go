package detect

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"gocv.io/x/gocv"

	"github.com/xiuhua/xiuhua/internal/modelspec"
)

// Open loads the model that m describes into the backend that opts (or else
// the manifest) names. It checks the ONNX file's sha256 against the manifest
// (on the very bytes it loads, so a file swapped after the check cannot slip
// in), and the model's input and output shapes against the manifest's input
// size, layout and class count. Errors name the model.
func Open(m *Manifest, opts Options) (Detector, error) {
	if m == nil {
		return nil, errors.New("open detector: nil manifest")
	}
	d, err := open(m, opts)
	if err != nil {
		return nil, fmt.Errorf("model %s %s (%s): %w", m.Name, m.Version, m.ONNXPath(), err)
	}
	return d, nil
}

func open(m *Manifest, opts Options) (*detector, error) {
	if err := checkOptions(opts); err != nil {
		return nil, err
	}
	fam, ok := families[m.Family]
	if !ok {
		return nil, fmt.Errorf("family %q: allowed: %v", m.Family, modelspec.Families())
	}
	data, err := os.ReadFile(m.ONNXPath())
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	if want, err := hex.DecodeString(m.SHA256); err != nil || !bytes.Equal(sum[:], want) {
		return nil, fmt.Errorf("file has sha256 %x, manifest says %s: wrong or damaged file (run hack/fetch-models.sh)", sum, m.SHA256)
	}
	io, err := inspect(m, data, opts.LibraryPath)
	if err != nil {
		return nil, err
	}
	log := opts.logger()
	kind := cmp.Or(opts.Backend, m.Backend, BackendONNXRuntime)
	var be backend
	switch kind {
	case BackendONNXRuntime:
		be, err = openORT(m, data, io, opts, log)
	case BackendOpenCV:
		be, err = openCV(data, io, opts)
	default:
		err = fmt.Errorf("backend %q: allowed: %s, %s", kind, BackendONNXRuntime, BackendOpenCV)
	}
	if err != nil {
		return nil, err
	}
	// A private copy: a caller editing its manifest later must not change a
	// running detector's classes or thresholds halfway through a frame.
	m = m.Clone()
	return &detector{
		m:    m,
		info: ModelInfo{Name: m.Name, Version: m.Version, SHA256: m.SHA256, Runtime: be.runtime()},
		log:  log.With("component", "detect", "model", m.Name),
		be:   be,
		dec:  io.dec,
		nmsF: fam.selfSuppressing,
		pre:  newPreprocessor(m.Input),
	}, nil
}

// detector joins a backend and a decoder with the shared steps around them.
type detector struct {
	m    *Manifest
	info ModelInfo
	log  *slog.Logger

	mu       sync.Mutex // serialises Detect and Close: the backend is not reentrant
	closed   bool
	be       backend
	dec      decoder
	nmsF     bool // the family suppresses overlaps itself
	pre      *preprocessor
	cands    []candidate // reused between frames
	lbs      []letterbox // reused between batches
	lastWarn time.Time   // last bad-output warning, to warn at most once a second

	frames, runs, nonFinite atomic.Uint64
	preNs, inferNs, postNs  atomic.Int64
}

func (d *detector) Info() ModelInfo { return d.info }

func (d *detector) Detect(img gocv.Mat) ([]Detection, error) {
	var res [1][]Detection
	if err := d.detect([]gocv.Mat{img}, res[:]); err != nil {
		return nil, err
	}
	return res[0], nil
}

func (d *detector) DetectBatch(imgs []gocv.Mat) ([][]Detection, error) {
	res := make([][]Detection, len(imgs))
	if err := d.detect(imgs, res); err != nil {
		return nil, err
	}
	return res, nil
}

// detect fills res[i] for imgs[i], in runs of at most the backend's batch.
func (d *detector) detect(imgs []gocv.Mat, res [][]Detection) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return fmt.Errorf("model %s: detector closed", d.m.Name)
	}
	step := d.be.maxBatch()
	for i := 0; i < len(imgs); i += step {
		j := min(i+step, len(imgs))
		if err := d.runBatch(imgs[i:j], res[i:j]); err != nil {
			if len(imgs) > 1 {
				return fmt.Errorf("model %s: frames %d-%d: %w", d.m.Name, i, j-1, err)
			}
			return fmt.Errorf("model %s: %w", d.m.Name, err)
		}
	}
	return nil
}

// runBatch runs one batch through pre-processing, the model, and decoding.
func (d *detector) runBatch(imgs []gocv.Mat, res [][]Detection) error {
	n := len(imgs)
	t0 := time.Now()
	in, err := d.be.input(n)
	if err != nil {
		return err
	}
	per := len(in) / n
	d.lbs = d.lbs[:0]
	for i, img := range imgs {
		lb, err := d.pre.run(img, in[i*per:(i+1)*per])
		if err != nil {
			if n > 1 {
				return fmt.Errorf("frame %d: %w", i, err)
			}
			return err
		}
		d.lbs = append(d.lbs, lb)
	}
	t1 := time.Now()
	out, err := d.be.run(n)
	if err != nil {
		return fmt.Errorf("inference: %w", err)
	}
	t2 := time.Now()
	if len(out)%n != 0 {
		return fmt.Errorf("output of %d values does not split into %d frames", len(out), n)
	}
	per = len(out) / n
	bad := 0
	for i := range n {
		cands, b, err := d.dec.decode(out[i*per:(i+1)*per], d.cands[:0])
		d.cands = cands
		bad += b
		if err != nil {
			d.nonFinite.Add(uint64(bad))
			return err
		}
		res[i] = d.finish(cands, d.lbs[i])
	}
	t3 := time.Now()

	d.frames.Add(uint64(n))
	d.runs.Add(1)
	d.nonFinite.Add(uint64(bad))
	d.preNs.Add(int64(t1.Sub(t0)))
	d.inferNs.Add(int64(t2.Sub(t1)))
	d.postNs.Add(int64(t3.Sub(t2)))
	if bad > 0 && t3.Sub(d.lastWarn) >= time.Second {
		d.lastWarn = t3
		d.log.Warn("model output has unreadable boxes (NaN, infinite or impossible values); skipped",
			"boxes", bad, "total_skipped", d.nonFinite.Load())
	}
	return nil
}

// finish runs NMS on the candidates (or, for self-suppressing families,
// only sorts and caps them) and maps the kept ones to the source image. NMS
// runs in network coordinates, before clipping, as the reference
// implementations do, so that scores and suppression match theirs.
func (d *detector) finish(cands []candidate, lb letterbox) []Detection {
	var kept []candidate
	if d.nmsF {
		slices.SortStableFunc(cands, func(a, b candidate) int { return cmp.Compare(b.score, a.score) })
		kept = cands[:min(len(cands), d.m.MaxDetections)]
	} else {
		kept = nms(cands, d.m.NMSIoU, d.m.MaxDetections)
	}
	if len(kept) == 0 {
		return nil
	}
	dets := make([]Detection, 0, len(kept))
	for _, c := range kept {
		b := lb.toSource(c.box)
		if !(b.X2 > b.X1 && b.Y2 > b.Y1) {
			continue // wholly in the padding or outside the frame
		}
		dets = append(dets, Detection{ClassID: c.class, Class: d.m.Classes[c.class], Score: c.score, Box: b})
	}
	return dets
}

func (d *detector) Stats() Stats {
	return Stats{
		Frames:    d.frames.Load(),
		Runs:      d.runs.Load(),
		NonFinite: d.nonFinite.Load(),
		Pre:       time.Duration(d.preNs.Load()),
		Infer:     time.Duration(d.inferNs.Load()),
		Post:      time.Duration(d.postNs.Load()),
	}
}

func (d *detector) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil
	}
	d.closed = true
	return errors.Join(d.be.close(), d.pre.close())
}
