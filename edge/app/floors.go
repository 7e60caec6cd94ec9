package app

import (
	"maps"

	"github.com/xiuhua/xiuhua/edge/config"
	"github.com/xiuhua/xiuhua/edge/detect"
	"github.com/xiuhua/xiuhua/edge/rules"
)

// withFloors returns m with its score threshold lowered, for the classes
// that rules with accumulation count, to their accumulate.floor: the
// manifest's threshold (0.3 for YOLOX-Nano) would otherwise drop the weak
// detections accumulation exists to count. The tracker starts no track
// from them (its new-track score is 0.3) and a rule's min_score still
// decides what its tracks count, so only accumulation sees the extra
// boxes. m itself is not changed.
func withFloors(cfg *config.Config, m *detect.Manifest) *detect.Manifest {
	floors := map[string]float32{}
	for _, c := range cfg.Cameras {
		for _, z := range c.Zones {
			for _, r := range z.Rules {
				if !r.Accumulate.On() {
					continue
				}
				// A rule without classes follows the model: its defaults
				// for this model count too.
				for _, class := range append(r.Classes, rules.DefaultClasses(r.Type, m.Classes)...) {
					if f, ok := floors[class]; !ok || float32(r.Accumulate.Floor) < f {
						floors[class] = float32(r.Accumulate.Floor)
					}
				}
			}
		}
	}
	if len(floors) == 0 {
		return m
	}
	out := m.Clone()
	out.ClassThresholds = maps.Clone(m.ClassThresholds)
	if out.ClassThresholds == nil {
		out.ClassThresholds = map[string]float32{}
	}
	for id, class := range m.Classes {
		if f, ok := floors[class]; ok && f < m.Threshold(id) {
			out.ClassThresholds[class] = f
		}
	}
	return out
}
