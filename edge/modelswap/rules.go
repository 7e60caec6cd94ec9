package modelswap

import (
	"fmt"
	"slices"
	"strings"
)

// RuleClasses is one configured rule and the classes it looks for. A rule
// with no classes (a persistent-change rule) needs no model class.
type RuleClasses struct {
	Camera, Zone, Rule string
	Classes            []string
}

func (r RuleClasses) key() string { return r.Camera + "/" + r.Zone + "/" + r.Rule }

// rulesOff returns the rules that a model with classes cannot serve at
// all: none of their classes is among the model's. Such a rule can never
// fire, so it is as good as switched off until a model has its class again.
func rulesOff(rules []RuleClasses, classes []string) []RuleClasses {
	var off []RuleClasses
	for _, r := range rules {
		if len(r.Classes) == 0 {
			continue
		}
		if !slices.ContainsFunc(r.Classes, func(c string) bool { return slices.Contains(classes, c) }) {
			off = append(off, r)
		}
	}
	return off
}

// updateRules records which rules the active model (of classes) leaves
// switched off, logs each rule that goes off or comes back on, and returns
// a reason naming the rules off ("" when none) and whether anything changed.
func (m *Manager) updateRules(classes []string) (string, bool) {
	off := rulesOff(m.cfg.Rules, classes)
	now := make(map[string]bool, len(off))
	var names []string
	for _, r := range off {
		now[r.key()] = true
		names = append(names, fmt.Sprintf("%s (classes %s)", r.key(), strings.Join(r.Classes, ", ")))
	}
	m.stMu.Lock()
	before := m.rulesOff
	m.rulesOff = now
	m.stMu.Unlock()
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
