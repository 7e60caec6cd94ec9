package config

import (
	"slices"
	"time"

	"github.com/xiuhua/xiuhua/internal/conf"
)

// Accumulate lets a rule fire on presence that repeats at one place, from
// detections too weak for the tracker (see docs/accumulation.md).
type Accumulate struct {
	// Enabled defaults to true for the types whose objects stand still for
	// hours (stall-like ones), false for the others.
	Enabled *bool `yaml:"enabled"`
	// Floor is the least detection score that counts, at most min_score.
	Floor float64 `yaml:"floor"`
	// HalfLife is how fast the memory of a place fades.
	HalfLife conf.Duration `yaml:"half_life"`
	// Presence is the least share of looks (0–1) that must see the object
	// at its place when the dwell completes.
	Presence float64 `yaml:"presence"`
}

// On reports whether accumulation is enabled (after defaults).
func (a Accumulate) On() bool { return a.Enabled != nil && *a.Enabled }

// StallTypes are the violation types accumulated by default: the things
// they watch stay put for hours, often half hidden and at dusk.
var StallTypes = []string{"street_vending", "outside_store", "street_laundry"}

func fillAccumulateDefaults(r *Rule) {
	a := &r.Accumulate
	if a.Enabled == nil {
		on := slices.Contains(StallTypes, r.Type)
		a.Enabled = &on
	}
	if a.Floor == 0 {
		a.Floor = min(0.2, r.MinScore)
	}
	if a.HalfLife == 0 {
		a.HalfLife = conf.Duration(30 * time.Second)
	}
	if a.Presence == 0 {
		a.Presence = 0.3
	}
}

func validateAccumulate(errs *conf.Errors, p string, r Rule) {
	a := r.Accumulate
	if !a.On() {
		return
	}
	p += ".accumulate"
	if a.Floor <= 0 || a.Floor > r.MinScore {
		errs.Add(p+".floor", a.Floor, "a score above 0, at most the rule's min_score")
	}
	if a.HalfLife.D() <= 0 || a.HalfLife.D() > 24*time.Hour {
		errs.Add(p+".half_life", a.HalfLife.String(), "a positive duration up to 24h")
	}
	if a.Presence <= 0 || a.Presence > 1 {
		errs.Add(p+".presence", a.Presence, "a share of looks above 0, at most 1")
	}
	if slices.Contains(r.Classes, "person") {
		errs.Add(p+".enabled", true, "false for a rule that counts person: someone standing still is not a stall")
	}
}
