package detect

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"gocv.io/x/gocv"
)

// Open loads the model that m describes into onnxruntime. It checks the ONNX
// file's sha256 against the manifest (on the very bytes it loads, so a file
// swapped after the check cannot slip in), and the model's input and output
// shapes against the manifest's input size, layout and class count. Errors
// name the model.
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
	fam, ok := families[m.Family]
	if !ok {
		return nil, fmt.Errorf("family %q: allowed: %v", m.Family, Families())
	}
	data, err := os.ReadFile(m.ONNXPath())
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	if want, err := hex.DecodeString(m.SHA256); err != nil || !bytes.Equal(sum[:], want) {
		return nil, fmt.Errorf("file has sha256 %x, manifest says %s: wrong or damaged file (run hack/fetch-models.sh)", sum, m.SHA256)
	}
	be, dec, err := openORT(m, data, fam, opts)
	if err != nil {
		return nil, err
	}
	// A private copy: a caller editing its manifest later must not change a
	// running detector's classes or thresholds halfway through a frame.
	m = m.clone()
	return &detector{
		m:    m,
		info: ModelInfo{Name: m.Name, Version: m.Version, SHA256: m.SHA256},
		be:   be,
		dec:  dec,
		pre:  newPreprocessor(m.Input),
	}, nil
}

// detector joins a backend and a decoder with the shared steps around them.
type detector struct {
	m    *Manifest
	info ModelInfo

	mu     sync.Mutex // serialises Detect and Close: the backend is not reentrant
	closed bool
	be     backend
	dec    decoder
	pre    *preprocessor
	cands  []candidate // reused between frames

	frames, nonFinite      atomic.Uint64
	preNs, inferNs, postNs atomic.Int64
}

func (d *detector) Info() ModelInfo { return d.info }

func (d *detector) Detect(img gocv.Mat) ([]Detection, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil, fmt.Errorf("model %s: detector closed", d.m.Name)
	}
	t0 := time.Now()
	lb, err := d.pre.run(img, d.be.input())
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", d.m.Name, err)
	}
	t1 := time.Now()
	out, err := d.be.run()
	if err != nil {
		return nil, fmt.Errorf("model %s: inference: %w", d.m.Name, err)
	}
	t2 := time.Now()
	cands, bad, err := d.dec.decode(out, d.cands[:0])
	d.cands = cands
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", d.m.Name, err)
	}
	dets := d.finish(cands, lb)
	t3 := time.Now()

	d.frames.Add(1)
	d.nonFinite.Add(uint64(bad))
	d.preNs.Add(int64(t1.Sub(t0)))
	d.inferNs.Add(int64(t2.Sub(t1)))
	d.postNs.Add(int64(t3.Sub(t2)))
	return dets, nil
}

// finish runs NMS on the candidates and maps the kept ones to the source
// image. NMS runs in network coordinates, before clipping, as the reference
// implementations do, so that scores and suppression match theirs.
func (d *detector) finish(cands []candidate, lb letterbox) []Detection {
	kept := nms(cands, d.m.NMSIoU, d.m.MaxDetections)
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
