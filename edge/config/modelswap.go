package config

import (
	"time"

	"github.com/xiuhua/xiuhua/internal/conf"
)

// validateSwap checks the hot-swap settings of the model section.
func (m *Model) validateSwap(errs *conf.Errors) {
	if in := m.ExpectInput; in != nil {
		if in.Width < 1 || in.Width > 8192 {
			errs.Add("model.expect_input.width", in.Width, "1 to 8192 pixels, the model input width this box is set up for")
		}
		if in.Height < 1 || in.Height > 8192 {
			errs.Add("model.expect_input.height", in.Height, "1 to 8192 pixels, the model input height this box is set up for")
		}
	}
	if m.WatchInterval.D() < 100*time.Millisecond {
		errs.Add("model.watch_interval", m.WatchInterval.String(), "a duration of 100ms or more, e.g. 5s")
	}
	if m.Probation.D() <= 0 {
		errs.Add("model.probation", m.Probation.String(), "a positive duration, e.g. 5m")
	}
	if !(m.MaxErrorRate > 0 && m.MaxErrorRate <= 1) {
		errs.Add("model.max_error_rate", m.MaxErrorRate, "a share of failed inferences above 0, at most 1, e.g. 0.2")
	}
	if m.ErrorWindow < 1 || m.ErrorWindow > 10000 {
		errs.Add("model.error_window", m.ErrorWindow, "1 to 10000 inferences")
	}
	if m.Warmup < 0 || m.Warmup > 100 {
		errs.Add("model.warmup", m.Warmup, "0 to 100 inferences")
	}
}

// defaultModel is the model section's defaults: swaps judged over 5
// minutes and 20 inferences, at most a fifth failing.
func defaultModel(manifest string) Model {
	return Model{
		Manifest:      manifest,
		WatchInterval: conf.Duration(5 * time.Second),
		Probation:     conf.Duration(5 * time.Minute),
		MaxErrorRate:  0.2,
		ErrorWindow:   20,
		Warmup:        3,
	}
}
