package config

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/xiuhua/xiuhua/edge/audio"
	"github.com/xiuhua/xiuhua/edge/rules"
	"github.com/xiuhua/xiuhua/internal/conf"
)

// Enforcement modes (先劝导、后立案).
const (
	// EnforceFile files a case for every violation (the default).
	EnforceFile = "file"
	// EnforceWarnFirst plays a warning on site, looks again after Grace,
	// and files only what is still there.
	EnforceWarnFirst = "warn_first"
)

// Policy says what a violation leads to. It is given per violation type
// under the top-level `enforcement:` and per rule under the rule's own
// `enforcement:`; a rule's fields override its type's, which override the
// built-in default (DefaultPolicy). Zero fields inherit.
type Policy struct {
	// Mode is file or warn_first.
	Mode string `yaml:"mode"`
	// Grace is how long after a warning the box looks again.
	Grace conf.Duration `yaml:"grace"`
	// Warnings is how many warnings, Grace apart, are played before the
	// case is filed.
	Warnings int `yaml:"warnings"`
	// QuietHours are daily windows, in device.timezone, when no warning is
	// played (people sleep): a violation then is filed as under `file`.
	QuietHours []string `yaml:"quiet_hours"`
	// Audio is the WAV file played through the camera's back channel; it
	// is read, resampled and encoded when the config loads.
	Audio string `yaml:"audio"`
}

// DefaultPolicy is what a rule gets when nothing is configured.
func DefaultPolicy() Policy {
	return Policy{Mode: EnforceFile, Grace: conf.Duration(10 * time.Minute), Warnings: 1}
}

// Speaker kinds: how a camera's warnings are played.
const (
	SpeakerBackChannel = "backchannel"
	SpeakerHTTP        = "http"
)

// Speaker is how a camera plays warnings: the camera's own speaker over
// the RTSP back channel (the default), or a standalone IP speaker that an
// HTTP request triggers (it plays its own message, so no audio file).
type Speaker struct {
	Kind string `yaml:"kind"`
	// URL (http only) receives a request with the camera and the type.
	URL     string            `yaml:"url"`
	Method  string            `yaml:"method"`  // default POST
	Headers map[string]string `yaml:"headers"` // e.g. Authorization
	// Timeout bounds each attempt (default 5s); Attempts is the most
	// requests a warning makes (default 3).
	Timeout  conf.Duration `yaml:"timeout"`
	Attempts int           `yaml:"attempts"`
}

// SpeakerKind is the camera's kind with its default.
func (c Camera) SpeakerKind() string {
	if c.Speaker == nil || c.Speaker.Kind == "" {
		return SpeakerBackChannel
	}
	return c.Speaker.Kind
}

// PolicyFor resolves the policy of a rule: built-in default, then the
// type's, then the rule's own fields.
func (c *Config) PolicyFor(r Rule) Policy {
	p := DefaultPolicy()
	p.merge(c.Enforcement[r.Type])
	if r.Enforcement != nil {
		p.merge(*r.Enforcement)
	}
	return p
}

func (p *Policy) merge(o Policy) {
	if o.Mode != "" {
		p.Mode = o.Mode
	}
	if o.Grace != 0 {
		p.Grace = o.Grace
	}
	if o.Warnings != 0 {
		p.Warnings = o.Warnings
	}
	if o.QuietHours != nil {
		p.QuietHours = o.QuietHours
	}
	if o.Audio != "" {
		p.Audio = o.Audio
	}
}

// validateEnforcement checks the per-type policies, every rule's override
// and resolved policy, and every camera's speaker.
func (c *Config) validateEnforcement(errs *conf.Errors) {
	types := slices.Sorted(func(yield func(string) bool) {
		for t := range c.Enforcement {
			if !yield(t) {
				return
			}
		}
	})
	for _, t := range types {
		if !slices.Contains(ViolationTypes, t) {
			errs.Add("enforcement."+t, t, "a violation type: "+strings.Join(ViolationTypes, ", "))
			continue
		}
		c.Enforcement[t].validate(errs, "enforcement."+t)
	}
	for i, cam := range c.Cameras {
		p := fmt.Sprintf("cameras[%d]", i)
		cam.Speaker.validate(errs, p+".speaker")
		for j, z := range cam.Zones {
			for k, r := range z.Rules {
				rp := fmt.Sprintf("%s.zones[%d].rules[%d].enforcement", p, j, k)
				if r.Enforcement != nil {
					r.Enforcement.validate(errs, rp)
				}
				pol := c.PolicyFor(r)
				if pol.Mode == EnforceWarnFirst && pol.Audio == "" && cam.SpeakerKind() == SpeakerBackChannel {
					errs.Add(rp+".audio", "", "a WAV file to play through the camera's back channel, here or in enforcement."+
						r.Type+".audio (or a speaker of kind http for "+p+")")
				}
			}
		}
	}
}

func (p Policy) validate(errs *conf.Errors, field string) {
	if !slices.Contains([]string{"", EnforceFile, EnforceWarnFirst}, p.Mode) {
		errs.Add(field+".mode", p.Mode, "file, warn_first")
	}
	if g := p.Grace.D(); g != 0 && (g < 30*time.Second || g > 24*time.Hour) {
		errs.Add(field+".grace", p.Grace.String(), "a duration from 30s to 24h")
	}
	if p.Warnings < 0 || p.Warnings > 5 {
		errs.Add(field+".warnings", p.Warnings, "1 to 5 warnings before filing")
	}
	for i, h := range p.QuietHours {
		if _, err := rules.ParseHours(h); err != nil {
			errs.Add(fmt.Sprintf("%s.quiet_hours[%d]", field, i), h, "a daily window HH:MM-HH:MM, e.g. 22:00-07:00")
		}
	}
	if p.Audio != "" {
		if _, err := audio.LoadWarning(p.Audio); err != nil {
			errs.Add(field+".audio", p.Audio, fmt.Sprintf("a readable WAV file (PCM 8/16/24/32-bit or 32-bit float, mono or stereo, "+
				"%d to %d Hz, at most %v) (%s)", audio.MinRate, audio.MaxRate, audio.MaxWarning, audioReason(p.Audio, err)))
		}
	}
}

// audioReason is the cause of a LoadWarning error without the file name,
// which the field error already shows.
func audioReason(path string, err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return strings.TrimPrefix(err.Error(), "warning audio "+path+": ")
}

func (s *Speaker) validate(errs *conf.Errors, field string) {
	if s == nil {
		return
	}
	switch s.Kind {
	case "", SpeakerBackChannel:
		if s.URL != "" {
			errs.Add(field+".url", s.URL, "empty for kind backchannel (the camera's own url is used)")
		}
	case SpeakerHTTP:
		if u, err := url.Parse(s.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs.Add(field+".url", s.URL, "an http:// or https:// URL with a host")
		}
	default:
		errs.Add(field+".kind", s.Kind, "backchannel, http")
	}
	if !slices.Contains([]string{"", "POST", "PUT", "GET"}, s.Method) {
		errs.Add(field+".method", s.Method, "POST, PUT, GET")
	}
	if t := s.Timeout.D(); t != 0 && (t < 100*time.Millisecond || t > time.Minute) {
		errs.Add(field+".timeout", s.Timeout.String(), "a duration from 100ms to 1m")
	}
	if s.Attempts < 0 || s.Attempts > 10 {
		errs.Add(field+".attempts", s.Attempts, "1 to 10 requests")
	}
}
