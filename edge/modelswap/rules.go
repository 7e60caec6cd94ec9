package modelswap

import (
	"fmt"
	"slices"
	"strings"

	"github.com/xiuhua/xiuhua/edge/rules"
	"github.com/xiuhua/xiuhua/edge/vision"
)

// RuleClasses is one configured rule and the classes it looks for. A rule
// with no classes (a persistent-change rule) needs no model class.
type RuleClasses struct {
	Camera, Zone, Rule string
	Classes            []string
	// Defaults: the rule was configured without classes and counts the
	// default classes of its Type that the running model has
	// (rules.DefaultClasses), worked out again for each model that
	// becomes active; Classes are those of the model the edge started on.
	Type     string
	Defaults bool
}

func (r RuleClasses) key() string { return r.Camera + "/" + r.Zone + "/" + r.Rule }

// resolve returns r with the classes it counts under a model of classes.
func (r RuleClasses) resolve(classes []string) RuleClasses {
	if r.Defaults {
		r.Classes = rules.DefaultClasses(r.Type, classes)
	}
	return r
}

// following returns the rules whose classes follow the model, with the
// classes they count under a model of classes.
func following(list []RuleClasses, classes []string) []RuleClasses {
	var out []RuleClasses
	for _, r := range list {
		if r.Defaults {
			out = append(out, r.resolve(classes))
		}
	}
	return out
}

// OnSwap sets f to be told, each time a model becomes the one frames run on
// (a swap, a rollback), the classes that the rules following the model's
// classes (RuleClasses.Defaults) count from now on. f runs between two
// frames, with the manager's lock held, before any frame runs on the new
// model: it must only hand the classes on (rules.Engine.SetClasses, which
// each camera applies at its first frame of the new model), never block or
// call the manager.
func (m *Manager) OnSwap(f func(model vision.ModelInfo, follow []RuleClasses)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.onSwap = f
}

// rulesOff returns the rules that a model with classes cannot serve at
// all: none of their classes is among the model's (for a rule following
// the model: it has none of the type's defaults). Such a rule can never
// fire, so it is as good as switched off until a model has its class again.
func rulesOff(list []RuleClasses, classes []string) []RuleClasses {
	var off []RuleClasses
	for _, r := range list {
		if r.Defaults {
			if len(r.resolve(classes).Classes) == 0 {
				off = append(off, r)
			}
			continue
		}
		if len(r.Classes) == 0 {
			continue
		}
		if !slices.ContainsFunc(r.Classes, func(c string) bool { return slices.Contains(classes, c) }) {
			off = append(off, r)
		}
	}
	return off
}

// describe names a switched-off rule and what it lacks.
func (r RuleClasses) describe() string {
	if r.Defaults {
		return fmt.Sprintf("%s (default classes of %s)", r.key(), r.Type)
	}
	return fmt.Sprintf("%s (classes %s)", r.key(), strings.Join(r.Classes, ", "))
}

// updateRules records which rules the active model (of classes) leaves
// switched off, logs each rule that goes off or comes back on and each rule
// whose classes follow the model to new ones, and returns a reason naming
// the rules off ("" when none) and whether anything changed.
func (m *Manager) updateRules(classes []string) (string, bool) {
	off := rulesOff(m.cfg.Rules, classes)
	now := make(map[string]bool, len(off))
	var names []string
	for _, r := range off {
		now[r.key()] = true
		names = append(names, r.describe())
	}
	follow := following(m.cfg.Rules, classes)
	counts := make(map[string][]string, len(follow))
	for _, r := range follow {
		counts[r.key()] = r.Classes
	}
	m.stMu.Lock()
	before, counted := m.rulesOff, m.following
	m.rulesOff, m.following = now, counts
	m.stMu.Unlock()
	for _, r := range follow {
		if was, ok := counted[r.key()]; ok && !slices.Equal(was, r.Classes) && len(r.Classes) > 0 {
			m.log.Info("rule follows the model's classes", "rule", r.key(), "type", r.Type, "classes", r.Classes, "before", was)
		}
	}
	changed := false
	for _, r := range off {
		if !before[r.key()] {
			changed = true
			m.log.Warn("rule switched off: the model has none of its classes", "rule", r.key(), "classes", r.Classes)
		}
	}
	for k := range before {
		if !now[k] {
			changed = true
			m.log.Info("rule back on: the model has its classes again", "rule", k)
		}
	}
	m.met.rulesOff.Set(float64(len(off)))
	if len(off) == 0 {
		return "", changed
	}
	return "rules switched off, the model has none of their classes: " + strings.Join(names, "; "), changed
}

// RulesOff lists the rules switched off now, as camera/zone/rule.
func (m *Manager) RulesOff() []string {
	m.stMu.Lock()
	defer m.stMu.Unlock()
	var out []string
	for k := range m.rulesOff {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
