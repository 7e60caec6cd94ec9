package web

import "context"

// dispatchForm is what the dispatch form offers: the units (the case's own
// chosen when it is one of them, else a "choose" entry) and the enabled
// handlers, each marked with its unit so that the page shows only the
// chosen unit's (ByUnit; without configured units all are shown).
type dispatchForm struct {
	Units    []unitOption
	Officers []officerOption
	// Picked: one of Units is chosen already.
	Picked bool
	ByUnit bool
	// FreeText: there are no units at all (none configured, none in the
	// grid), so the unit is typed.
	FreeText bool
}

type unitOption struct {
	Code, Name string
	Selected   bool
}

type officerOption struct{ Name, Unit string }

func (s *server) dispatchForm(ctx context.Context, caseUnit string) (dispatchForm, error) {
	units, err := s.dispatchUnits(ctx)
	if err != nil {
		return dispatchForm{}, err
	}
	f := dispatchForm{ByUnit: units.Configured}
	own, known := s.opts.Cases.FindUnit(caseUnit)
	for _, u := range units.Units {
		sel := (known && u.Code == own.Code) || (!units.Configured && u.Name == caseUnit)
		f.Picked = f.Picked || sel
		f.Units = append(f.Units, unitOption{Code: u.Code, Name: u.Name, Selected: sel})
		for _, o := range u.Officers {
			f.Officers = append(f.Officers, officerOption{Name: o, Unit: u.Code})
		}
	}
	if !units.Configured && caseUnit != "" && !f.Picked {
		// The case's own unit, which no grid cell lists (any more).
		f.Units = append([]unitOption{{Code: caseUnit, Name: caseUnit, Selected: true}}, f.Units...)
		f.Picked = true
	}
	if !units.Configured {
		for _, o := range units.Unassigned {
			f.Officers = append(f.Officers, officerOption{Name: o})
		}
	}
	f.FreeText = len(f.Units) == 0
	return f, nil
}
