package notify

import (
	"slices"

	"github.com/xiuhua/xiuhua/server/cases"
)

// Route sends the events of the listed kinds (every kind when empty) to
// Sink.
type Route struct {
	Sink   Sink
	Events []string
}

// Router decides which sinks get which case events. It implements
// cases.Events.
type Router struct {
	routes []Route
}

var _ cases.Events = (*Router)(nil)

// NewRouter returns a Router over routes.
func NewRouter(routes []Route) *Router { return &Router{routes: slices.Clone(routes)} }

// SinksFor implements cases.Events.
func (r *Router) SinksFor(kind string) []string {
	var out []string
	for _, rt := range r.routes {
		if len(rt.Events) == 0 || slices.Contains(rt.Events, kind) {
			out = append(out, rt.Sink.Name())
		}
	}
	return out
}

// Sinks returns every sink, in route order.
func (r *Router) Sinks() []Sink {
	out := make([]Sink, len(r.routes))
	for i, rt := range r.routes {
		out[i] = rt.Sink
	}
	return out
}
