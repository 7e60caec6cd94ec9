package app

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/xiuhua/xiuhua/edge/config"
	"github.com/xiuhua/xiuhua/edge/detect"
)

// looksAtOnce is how many looks the box runs at once (fleet.parallel_looks,
// or auto from model.threads and this machine's cores).
func looksAtOnce(cfg *config.Config) int { return cfg.Looks(runtime.NumCPU()) }

// openDetector loads the model m as the edge runs it: one copy for each
// look that may run at once, pooled when there are several.
func openDetector(cfg *config.Config, m *detect.Manifest) (detect.Detector, error) {
	n := looksAtOnce(cfg)
	if n == 1 {
		return detect.Open(withFloors(cfg, m), detectOptions(cfg))
	}
	dets := make([]detect.Detector, 0, n)
	for i := range n {
		d, err := detect.Open(withFloors(cfg, m), detectOptions(cfg))
		if err != nil {
			for _, o := range dets {
				err = errors.Join(err, o.Close())
			}
			return nil, fmt.Errorf("copy %d of %d (fleet.parallel_looks): %w", i+1, n, err)
		}
		dets = append(dets, d)
	}
	return detect.NewPool(dets), nil
}
