package cases

import "slices"

// Officer roles. Admin may take every step.
const (
	RoleReviewer   = "reviewer"   // 受理/审核员: reviews evidence, verifies results
	RoleDispatcher = "dispatcher" // 派遣员: sends cases to the responsible unit, closes them
	RoleHandler    = "handler"    // 处置人员: handles on the street and reports back
	RoleAdmin      = "admin"
)

// Roles lists every role.
var Roles = []string{RoleReviewer, RoleDispatcher, RoleHandler, RoleAdmin}

// KnownRole reports whether r is a role.
func KnownRole(r string) bool { return slices.Contains(Roles, r) }

// Step is one allowed move of the state machine.
type Step struct {
	Action string // the audit trail's name for it
	From   string
	To     string
	// Roles may take the step (admin always may).
	Roles []string
	// NeedsComment: the step must say why (a rejection's reason, what
	// failed verification).
	NeedsComment bool
	// Assigns: the step sends the case to a unit and an officer
	// (Request.Unit and Request.Officer); no other step takes them.
	Assigns bool
}

// Steps is the whole state machine: every transition not listed here is
// refused.
var Steps = []Step{
	{Action: "file", From: StatusPendingReview, To: StatusFiled, Roles: []string{RoleReviewer}},
	{Action: "reject", From: StatusPendingReview, To: StatusRejected, Roles: []string{RoleReviewer}, NeedsComment: true},
	{Action: "dispatch", From: StatusFiled, To: StatusDispatched, Roles: []string{RoleDispatcher}, Assigns: true},
	{Action: "accept", From: StatusDispatched, To: StatusHandling, Roles: []string{RoleHandler}},
	{Action: "report", From: StatusHandling, To: StatusReported, Roles: []string{RoleHandler}},
	{Action: "verify", From: StatusReported, To: StatusVerified, Roles: []string{RoleReviewer}},
	{Action: "fail_verification", From: StatusReported, To: StatusHandling, Roles: []string{RoleReviewer}, NeedsComment: true},
	{Action: "close", From: StatusVerified, To: StatusClosed, Roles: []string{RoleDispatcher}},
	// A reviewer overrules a verification (the AI re-check's, say) that
	// was wrong: the work goes back to the handler.
	{Action: "reopen", From: StatusVerified, To: StatusHandling, Roles: []string{RoleReviewer}, NeedsComment: true},
}

// FindStep returns the step from one status to another.
func FindStep(from, to string) (Step, bool) {
	for _, s := range Steps {
		if s.From == from && s.To == to {
			return s, true
		}
	}
	return Step{}, false
}

// Allowed returns the statuses a case in status from may move to, in
// workflow order; none for a terminal status.
func Allowed(from string) []string {
	out := []string{}
	for _, s := range Steps {
		if s.From == from {
			out = append(out, s.To)
		}
	}
	return out
}

// MayTake reports whether role may take step s.
func (s Step) MayTake(role string) bool {
	return role == RoleAdmin || slices.Contains(s.Roles, role)
}
