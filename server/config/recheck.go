package config

import (
	"time"

	"github.com/xiuhua/xiuhua/internal/conf"
)

// Recheck configures the AI re-check (智能核查): when a case reaches
// reported, the server asks the edge that found it to look at the zone
// again, and moves the case to verified (clear) or back to handling (still
// there).
type Recheck struct {
	Enabled bool `yaml:"enabled"`
	// Timeout is how long a case waits for the edge's answer before it is
	// left to a human; an edge offline that long is left to a human too.
	Timeout conf.Duration `yaml:"timeout"`
	// Look is how long the edge may look (a few frames over this span)
	// before it must answer; shorter than Timeout.
	Look conf.Duration `yaml:"look"`
	// Resend is how long an unanswered request waits before it is sent
	// again (the stream may have broken after it was sent).
	Resend conf.Duration `yaml:"resend"`
	// Poll is how often the server looks for cases newly reported and for
	// re-checks past their timeout.
	Poll conf.Duration `yaml:"poll"`
}

func defaultRecheck() Recheck {
	return Recheck{
		Enabled: true,
		Timeout: conf.Duration(2 * time.Minute),
		Look:    conf.Duration(20 * time.Second),
		Resend:  conf.Duration(30 * time.Second),
		Poll:    conf.Duration(2 * time.Second),
	}
}

func (r Recheck) validate(errs *conf.Errors) {
	between := func(field string, v conf.Duration, lo, hi time.Duration) bool {
		if v.D() < lo || v.D() > hi {
			errs.Add(field, v.String(), "a duration from "+lo.String()+" to "+hi.String())
			return false
		}
		return true
	}
	okTimeout := between("recheck.timeout", r.Timeout, 10*time.Second, 24*time.Hour)
	okLook := between("recheck.look", r.Look, time.Second, 10*time.Minute)
	if okTimeout && okLook && r.Look >= r.Timeout {
		errs.Add("recheck.look", r.Look.String(), "a duration shorter than recheck.timeout ("+r.Timeout.String()+")")
	}
	between("recheck.resend", r.Resend, time.Second, time.Hour)
	between("recheck.poll", r.Poll, 100*time.Millisecond, time.Minute)
}
