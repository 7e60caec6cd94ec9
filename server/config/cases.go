package config

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/xiuhua/xiuhua/internal/conf"
	"github.com/xiuhua/xiuhua/server/cases"
)

// Cases configures the case workflow.
type Cases struct {
	// Deadlines by status: how long a case may stay in it before it is
	// overdue. Keys given replace the defaults one by one.
	Deadlines map[string]conf.Duration `yaml:"deadlines"`
	// EventCodes by violation type: the city platform's category and
	// sub-category. The defaults must be checked against the local
	// platform's code table.
	EventCodes map[string]cases.EventCode `yaml:"event_codes"`
	Merge      Merge                      `yaml:"merge"`
	// Units are the responsible units (责任单位) cases are dispatched
	// to: code (what accounts name, server user add -unit) and name (what
	// officers read, and what the grid's GeoJSON names a cell's unit by).
	// None: a dispatch takes any unit name, and accounts have no unit.
	Units []cases.Unit `yaml:"units"`
}

// Merge says when a report joins an open case rather than opening one.
type Merge struct {
	// Types that merge; others open a case per report.
	Types []string `yaml:"types"`
	// IoU: boxes of the same camera overlapping more than this are the
	// same thing.
	IoU float64 `yaml:"iou"`
	// DistanceM: positions closer than this many metres are the same place.
	DistanceM float64 `yaml:"distance_m"`
	// Window: a case last seen longer ago than this takes no more reports.
	Window conf.Duration `yaml:"window"`
	// Suppress: for this long after officers reject a case, repeats of it
	// are kept with it and open nothing. 0 turns suppression off.
	Suppress conf.Duration `yaml:"suppress"`
}

func defaultCases() Cases {
	m := cases.DefaultMerge()
	c := Cases{Deadlines: map[string]conf.Duration{}, EventCodes: cases.DefaultEventCodes(),
		Merge: Merge{Types: m.Types, IoU: m.IoU, DistanceM: m.DistanceM, Window: conf.Duration(m.Window), Suppress: conf.Duration(m.Suppress)}}
	for k, v := range cases.DefaultDeadlines() {
		c.Deadlines[k] = conf.Duration(v)
	}
	return c
}

// CasesConfig is the cases package's view of c.
func (c Cases) CasesConfig() cases.Config {
	out := cases.Config{Deadlines: map[string]time.Duration{}, EventCodes: c.EventCodes,
		Merge: cases.Merge{Types: c.Merge.Types, IoU: c.Merge.IoU, DistanceM: c.Merge.DistanceM,
			Window: c.Merge.Window.D(), Suppress: c.Merge.Suppress.D()},
		Units: c.Units}
	for k, v := range c.Deadlines {
		out.Deadlines[k] = v.D()
	}
	return out
}

func (c Cases) validate(errs *conf.Errors) {
	for _, e := range cases.CheckUnits(c.Units) {
		errs.Add("cases."+e.Field, e.Value, e.Allowed)
	}
	var working []string
	for _, s := range cases.Statuses {
		if !cases.Terminal(s) {
			working = append(working, s)
		}
	}
	for _, k := range sortedKeys(c.Deadlines) {
		field := "cases.deadlines." + k
		if !slices.Contains(working, k) {
			errs.Add(field, k, "a status with a deadline: "+strings.Join(working, ", "))
			continue
		}
		if v := c.Deadlines[k]; v.D() <= 0 {
			errs.Add(field, v.String(), "a positive duration such as 30m or 24h")
		}
	}
	for _, k := range sortedKeys(c.EventCodes) {
		code := c.EventCodes[k]
		if code.Category == "" {
			errs.Add(fmt.Sprintf("cases.event_codes.%s.category", k), code.Category, "the platform's category (大类) code")
		}
		if code.Subcategory == "" {
			errs.Add(fmt.Sprintf("cases.event_codes.%s.subcategory", k), code.Subcategory, "the platform's sub-category (小类) code")
		}
	}
	c.Merge.validate(errs)
}

func (m Merge) validate(errs *conf.Errors) {
	for i, t := range m.Types {
		if t == "" {
			errs.Add(fmt.Sprintf("cases.merge.types[%d]", i), t, "a violation type such as street_vending")
		}
	}
	if m.IoU <= 0 || m.IoU >= 1 {
		errs.Add("cases.merge.iou", m.IoU, "a number between 0 and 1, e.g. 0.3")
	}
	if m.DistanceM < 0 || m.DistanceM > 1000 {
		errs.Add("cases.merge.distance_m", m.DistanceM, "0 to 1000 (metres)")
	}
	if m.Window.D() <= 0 {
		errs.Add("cases.merge.window", m.Window.String(), "a positive duration such as 30m")
	}
	if m.Suppress.D() < 0 {
		errs.Add("cases.merge.suppress", m.Suppress.String(), "0 (off) or a positive duration such as 24h")
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
