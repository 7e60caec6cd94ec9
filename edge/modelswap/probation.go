package modelswap

import (
	"fmt"
	"time"

	"github.com/xiuhua/xiuhua/edge/vision"
)

// probation judges a newly swapped-in model by its last inferences.
type probation struct {
	until      time.Time
	maxRate    float64
	window     []bool // ring of the last results, true for a failure
	next       int
	runs, errs int // runs in all, failures in the ring
	lastErr    error
	assignment string
}

func newProbation(d time.Duration, maxRate float64, window int, assignment string) probation {
	return probation{until: time.Now().Add(d), maxRate: maxRate, window: make([]bool, window), assignment: assignment}
}

func (p *probation) record(err error) {
	if p.runs >= len(p.window) && p.window[p.next] {
		p.errs--
	}
	p.window[p.next] = err != nil
	if err != nil {
		p.errs++
		p.lastErr = err
	}
	p.next = (p.next + 1) % len(p.window)
	p.runs++
}

// tooManyErrors: the failures in the window already exceed the allowed
// share of a full window, so no later success can bring the rate back.
func (p *probation) tooManyErrors() bool {
	return float64(p.errs) > p.maxRate*float64(len(p.window))
}

// passed: ran for the whole period and at least a full window.
func (p *probation) passed(now time.Time) bool {
	return p.runs >= len(p.window) && !now.Before(p.until)
}

type outcomeKind int

const (
	outcomeNone outcomeKind = iota
	outcomeCommitted
	outcomeRolledBack
)

// outcome is the end of a probation, decided under Manager.mu and acted on
// (closing a model, reporting) after it is released.
type outcome struct {
	kind       outcomeKind
	closing    *slot            // the model to close: the old one, or the failed new one
	kept       *slot            // the model that passed, for a commit
	failed     vision.ModelInfo // for a rollback
	reason     string
	assignment string
}

// judge records one inference of the model on probation; m.mu is held.
func (m *Manager) judge(err error) outcome {
	p := &m.prob
	p.record(err)
	switch {
	case p.tooManyErrors():
		bad := m.active
		m.setActive(m.prev)
		m.prev = nil
		return outcome{
			kind: outcomeRolledBack, closing: bad, failed: bad.info, assignment: p.assignment,
			reason: fmt.Sprintf("run-time errors on probation: %d of the last %d inferences failed, above the allowed %.0f%% (last error: %v)",
				p.errs, min(p.runs, len(p.window)), 100*p.maxRate, p.lastErr),
		}
	case p.passed(time.Now()):
		old := m.prev
		m.prev = nil
		return outcome{kind: outcomeCommitted, closing: old, kept: m.active, assignment: p.assignment}
	}
	return outcome{}
}
