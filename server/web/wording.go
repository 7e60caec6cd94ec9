package web

import (
	"fmt"
	"strings"
	"time"

	"github.com/xiuhua/xiuhua/server/store"
)

// This file turns the machine words a page would otherwise show (actors,
// evidence file names, model states, the AI re-check's notes, durations)
// into the page's language; the zh-CN page test fails on any it misses.

// ActorLabel is an audit actor: the workflow's own actors by name, officers
// as they are.
func (p *pageBase) ActorLabel(actor string) string { return labelOr(p.Lang, "actor."+actor, actor) }

// EvidenceLabel names a piece of evidence by what it is, not by its file
// name ("annotated.jpg", "best.jpg").
func (p *pageBase) EvidenceLabel(e EvidenceJSON) string {
	if e.Name == "best.jpg" {
		return p.T("ev.best")
	}
	switch e.Kind {
	case store.KindAnnotated:
		return p.T("ev.annotated")
	case store.KindSnapshot:
		return p.T("ev.raw")
	case store.KindClip:
		return p.T("ev.clip")
	case store.KindBeforeAfter:
		return p.T("ev.before_after")
	case store.KindAttachment:
		return p.T("audit.attachment")
	}
	return p.T("ev.other")
}

// ModelStateLabel is an edge's model state (MODEL_STATE_ACTIVE…).
func (p *pageBase) ModelStateLabel(state string) string {
	return labelOr(p.Lang, "mstate."+strings.TrimPrefix(state, "MODEL_STATE_"), state)
}

// Duration is a dwell such as "7分05秒" or "2小时03分".
func (p *pageBase) Duration(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d >= time.Hour:
		return p.Tf("dur.hm", int(d.Hours()), int(d.Minutes())%60)
	case d >= time.Minute:
		return p.Tf("dur.ms", int(d.Minutes()), int(d.Seconds())%60)
	default:
		return p.Tf("dur.s", int(d.Seconds()))
	}
}

// recheckNote is the AI re-check's audit comment ("AI re-check: present
// (1 chair in zone kerb); waiting for a reviewer", written in English for
// the log) as a sentence in the page's language, and the original words
// when they say more than the outcome.
func (p *pageBase) recheckNote(comment string) (text, raw string) {
	rest, ok := strings.CutPrefix(comment, "AI re-check: ")
	if !ok {
		return comment, ""
	}
	outcome := rest
	if i := strings.IndexAny(rest, " ;("); i >= 0 {
		outcome = rest[:i]
	}
	text = p.Tf("recheck.note", labelOr(p.Lang, "recheck."+outcome, outcome))
	switch {
	case strings.Contains(rest, "; not applied"):
		text += p.T("recheck.not_applied")
	case strings.Contains(rest, "waiting for a reviewer"):
		text += p.T("recheck.waiting")
	}
	if rest != outcome {
		raw = comment
	}
	return text, raw
}

// errorKey is the message key of a failed page's title; its text is
// the key with "_text".
func errorKey(code int) string {
	switch code {
	case 400, 403, 404, 503:
		return fmt.Sprintf("err.%d", code)
	}
	return "err.500"
}
