package config

import "github.com/xiuhua/xiuhua/internal/conf"

// Recheck is how the box answers the server's AI re-checks (智能核查): when
// a handler reports a case dealt with, the server asks the box to look at
// the zone again.
type Recheck struct {
	// Enabled false answers every re-check "unavailable" at once, leaving
	// the case to a human (a camera moved, say, so its zones no longer
	// fit).
	Enabled bool `yaml:"enabled"`
	// Looks is how many fresh frames one re-check looks at; the violation
	// counts as present if any of them shows it, so that one missed
	// detection does not close a case.
	Looks int `yaml:"looks"`
}

func defaultRecheck() Recheck { return Recheck{Enabled: true, Looks: 3} }

func (r Recheck) validate(errs *conf.Errors) {
	if r.Looks < 1 || r.Looks > 10 {
		errs.Add("recheck.looks", r.Looks, "1 to 10 frames")
	}
}
