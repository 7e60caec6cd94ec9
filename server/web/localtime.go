package web

import (
	"strings"
	"time"
)

// chinaZones are the IANA names of China Standard Time; officers know it
// as 北京时间, not by an abbreviation that also means US Central Time.
var chinaZones = map[string]bool{"Asia/Shanghai": true, "Asia/Chongqing": true, "Asia/Chungking": true,
	"Asia/Harbin": true, "PRC": true}

// zoneLabel names the zone t is read in: 北京时间 (Beijing time) for
// China's zone, else its abbreviation and offset such as "CET+01:00", or
// "UTC+05:30" where the zone has no abbreviation.
func zoneLabel(lang string, loc *time.Location, t time.Time) string {
	t = t.In(loc)
	if chinaZones[loc.String()] {
		if _, off := t.Zone(); off == 8*3600 {
			return tr(lang, "time.beijing")
		}
	}
	abbr, _ := t.Zone()
	if abbr == "" || strings.HasPrefix(abbr, "+") || strings.HasPrefix(abbr, "-") {
		abbr = "UTC"
	}
	return abbr + t.Format("-07:00")
}

// Clock is t as the pages show it: in the configured zone, to the second,
// with the zone named, e.g. "2026-12-06 20:52:05 (北京时间)".
func (p *pageBase) Clock(t time.Time) string {
	if t.IsZero() {
		return "–"
	}
	loc := p.location()
	return t.In(loc).Format(timeLayout) + " (" + zoneLabel(p.Lang, loc, t) + ")"
}

// ClockShort is t to the minute, without the zone: for tables whose
// heading names it (ZoneName).
func (p *pageBase) ClockShort(t time.Time) string {
	if t.IsZero() {
		return "–"
	}
	return t.In(p.location()).Format("2006-01-02 15:04")
}

// ZoneName is the pages' zone as of now, for headings and footers.
func (p *pageBase) ZoneName() string { return zoneLabel(p.Lang, p.location(), time.Now()) }

func (p *pageBase) location() *time.Location {
	if p.loc == nil {
		return time.Local
	}
	return p.loc
}
