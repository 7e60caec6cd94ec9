package store

// Assignee is who a dispatched case is sent to: the responsible unit
// (责任单位) and the officer who handles it on the street. The cases
// package decides it (the unit defaults to the grid cell's, the officer
// must be an enabled handler); the store keeps it on the case and in the
// dispatch step's audit entry.
type Assignee struct {
	Unit string
	// Officer is the handling officer's user name; empty leaves the choice
	// to the unit.
	Officer string
}
