package pipeline

import (
	"log/slog"

	"gocv.io/x/gocv"

	"github.com/xiuhua/xiuhua/edge/vision"
)

// Look runs d on img the way a camera with these regions does for one
// look — its tiles, the whole frame every FullEvery looks, merged — for
// tools that replay video without a Camera (hack/bench scenes).
func (r *Regions) Look(d Detector, img gocv.Mat, log *slog.Logger) ([]vision.Detection, error) {
	dets, _, err := r.detect(d, img, log)
	return dets, err
}
