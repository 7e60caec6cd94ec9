package cases

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// Unit is a responsible unit (责任单位) a case may be dispatched to: a
// short code that accounts refer to (server user add -unit CODE) and the
// name officers read, which is what a case keeps as its unit (the grid's
// GeoJSON names units the same way).
type Unit struct {
	Code string `json:"code" yaml:"code"`
	Name string `json:"name" yaml:"name"`
}

// MaxUnitCodeLen bounds a unit's code, in bytes.
const MaxUnitCodeLen = 64

// UnitError is one thing wrong with a units list.
type UnitError struct {
	Field, Value, Allowed string // Field: "units[2].code"
}

func (e *UnitError) Error() string {
	return fmt.Sprintf("%s: invalid value %q: allowed: %s", e.Field, e.Value, e.Allowed)
}

// CheckUnits says what is wrong with a units list, field by field; nil
// when nothing is.
func CheckUnits(units []Unit) []*UnitError {
	var errs []*UnitError
	codes, names := map[string]bool{}, map[string]bool{}
	for i, u := range units {
		field := fmt.Sprintf("units[%d]", i)
		switch {
		case u.Code == "" || len(u.Code) > MaxUnitCodeLen || strings.ContainsFunc(u.Code, badCodeRune):
			errs = append(errs, &UnitError{field + ".code", u.Code, fmt.Sprintf("1 to %d letters, digits, '-', '_' or '.'", MaxUnitCodeLen)})
		case codes[u.Code]:
			errs = append(errs, &UnitError{field + ".code", u.Code, "a code no other unit has"})
		}
		switch name := strings.TrimSpace(u.Name); {
		case name == "" || len(u.Name) > MaxUnitLen || strings.ContainsFunc(u.Name, unicode.IsControl):
			errs = append(errs, &UnitError{field + ".name", u.Name, fmt.Sprintf("1 to %d bytes, no control characters", MaxUnitLen)})
		case names[u.Name]:
			errs = append(errs, &UnitError{field + ".name", u.Name, "a name no other unit has"})
		}
		codes[u.Code], names[u.Name] = true, true
	}
	return errs
}

func badCodeRune(r rune) bool {
	return !(r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' || r == '.'))
}

// UnitsFromNames makes a units list of bare names (code and name alike),
// skipping empty and repeated ones: the grid's units, when the
// configuration lists none.
func UnitsFromNames(names ...string) []Unit {
	var out []Unit
	for _, n := range names {
		if n = strings.TrimSpace(n); n != "" && !slices.ContainsFunc(out, func(u Unit) bool { return u.Name == n }) {
			out = append(out, Unit{Code: n, Name: n})
		}
	}
	return out
}

// Units returns the units cases may be dispatched to, in configured order.
func (s *Service) Units() []Unit { return slices.Clone(s.cfg.Units) }

// FindUnit returns the unit with code or name v: a request names a unit
// by code, a case (and a grid cell) by name.
func (s *Service) FindUnit(v string) (Unit, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return Unit{}, false
	}
	for _, u := range s.cfg.Units {
		if u.Code == v || u.Name == v {
			return u, true
		}
	}
	return Unit{}, false
}
