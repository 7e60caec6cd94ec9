package app

import (
	"fmt"
	"path/filepath"
	"slices"
	"time"
	_ "time/tzdata" // allowed hours need zone data even on images without /usr/share/zoneinfo

	"github.com/xiuhua/xiuhua/edge/change"
	"github.com/xiuhua/xiuhua/edge/config"
	"github.com/xiuhua/xiuhua/edge/pipeline"
	"github.com/xiuhua/xiuhua/edge/rules"
	"github.com/xiuhua/xiuhua/internal/conf"
)

// resolveRuleClasses fills rules that list no classes with their type's
// defaults that the model has, and fails when a rule names a class the
// model cannot produce or ends up with none: such a rule would silently
// never fire.
func resolveRuleClasses(cfg *config.Config, classes []string) error {
	var errs conf.Errors
	for i := range cfg.Cameras {
		for j := range cfg.Cameras[i].Zones {
			for k := range cfg.Cameras[i].Zones[j].Rules {
				r := &cfg.Cameras[i].Zones[j].Rules[k]
				p := fmt.Sprintf("cameras[%d].zones[%d].rules[%d]", i, j, k)
				if len(r.Classes) == 0 {
					r.Classes = rules.DefaultClasses(r.Type, classes)
					if len(r.Classes) == 0 && !ChangeTypes[r.Type] {
						errs.Add(p+".classes", nil, fmt.Sprintf("class names of model %q: it has none of the defaults for %s", cfg.Model.Manifest, r.Type))
					}
					continue
				}
				for l, name := range r.Classes {
					if !slices.Contains(classes, name) {
						errs.Add(fmt.Sprintf("%s.classes[%d]", p, l), name,
							fmt.Sprintf("a class of model %q (see its classes file)", cfg.Model.Manifest))
					}
				}
			}
		}
	}
	return errs.Err()
}

// classlessRules are the rules configured without classes (by
// ruleKey): they count their type's default classes that the running model
// has. Read before resolveRuleClasses fills their classes in, so that a
// hot swap can work them out again for each new model.
func classlessRules(cams []config.Camera) map[string]bool {
	out := map[string]bool{}
	for _, c := range cams {
		for _, z := range c.Zones {
			for _, r := range z.Rules {
				if len(r.Classes) == 0 {
					out[ruleKey(c.ID, z.ID, r.ID)] = true
				}
			}
		}
	}
	return out
}

func ruleKey(camera, zone, rule string) string { return camera + "/" + zone + "/" + rule }

// ChangeTypes are the violation types found by persistent change when the
// model has no class for them.
var ChangeTypes = map[string]bool{"illegal_structure": true, "street_laundry": true}

// changeWatches returns the change watches of one camera: its rules of a
// change type left without classes. Reference pictures live under
// dataDir/references.
func changeWatches(c config.Camera, zones []rules.ZoneRules, dataDir string) []*pipeline.ChangeWatch {
	var out []*pipeline.ChangeWatch
	for i, z := range c.Zones {
		for j, r := range z.Rules {
			if len(r.Classes) > 0 || !ChangeTypes[r.Type] {
				continue
			}
			out = append(out, &pipeline.ChangeWatch{
				Zone: zones[i].Zone,
				Rule: zones[i].Rules[j],
				Config: change.Config{
					CellThreshold: 0.5,
					MinFraction:   r.Change.MinFraction,
					Checks:        r.Change.Checks,
					Span:          r.Change.Span.D(),
				},
				Interval:  r.Change.Interval.D(),
				Reference: filepath.Join(dataDir, "references", c.ID, z.ID+".jpg"),
			})
		}
	}
	return out
}

// zoneRules turns one camera's configured zones into the rules engine's,
// and returns the longest gap tolerance among them.
func zoneRules(c config.Camera, loc *time.Location) ([]rules.ZoneRules, time.Duration) {
	var zones []rules.ZoneRules
	maxGap := time.Second
	for _, z := range c.Zones {
		zone := rules.Zone{
			ID:      z.ID,
			Polygon: config.Points(z.Polygon),
			Pixels:  z.Coordinates == "pixels",
			MinArea: z.MinBoxArea,
		}
		if z.Anchor == "centre" {
			zone.Anchor = rules.AnchorCentre
		}
		for _, m := range z.Ignore {
			zone.Ignore = append(zone.Ignore, config.Points(m))
		}
		zr := rules.ZoneRules{Zone: zone}
		for _, r := range z.Rules {
			rule := rules.Rule{
				ID: r.ID, Type: r.Type, Classes: r.Classes, MinScore: float32(r.MinScore),
				Dwell: r.Dwell.D(), MaxMotion: r.MaxMotion, Inertia: r.Inertia,
				GapTolerance: r.GapTolerance.D(), Cooldown: r.Cooldown.D(), Realert: r.Realert.D(),
				Location: loc, Accumulate: accumulation(r.Accumulate),
			}
			for _, h := range r.AllowedHours {
				// Validated at load: a parse error cannot happen here.
				if hours, err := rules.ParseHours(h); err == nil {
					rule.Allowed = append(rule.Allowed, hours)
				}
			}
			zr.Rules = append(zr.Rules, rule)
			maxGap = max(maxGap, r.GapTolerance.D())
		}
		zones = append(zones, zr)
	}
	return zones, maxGap
}

func timezone(cfg config.Config) *time.Location {
	loc, err := time.LoadLocation(cfg.Device.Timezone)
	if err != nil {
		return time.Local // validated at load; kept total for tests
	}
	return loc
}

// accumulation is the rules engine's form of a rule's accumulate settings;
// off when they are disabled.
func accumulation(a config.Accumulate) rules.Accumulation {
	if !a.On() {
		return rules.Accumulation{}
	}
	return rules.Accumulation{Floor: float32(a.Floor), HalfLife: a.HalfLife.D(), Presence: a.Presence}
}
