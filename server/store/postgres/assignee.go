package postgres

import "github.com/xiuhua/xiuhua/server/store"

// assignArgs are a transition's unit and officer as SQL arguments: NULL
// for a step that assigns nothing, so that the UPDATE's COALESCE keeps the
// case's own and the audit entry records none.
func assignArgs(a *store.Assignee) (unit, officer *string) {
	if a == nil {
		return nil, nil
	}
	return &a.Unit, &a.Officer
}
