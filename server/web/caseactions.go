package web

import (
	"context"
	"errors"

	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/store"
)

// caseActions are the steps the officer may take on c now, and the
// dispatch form's lists when dispatch is one of them. A handler gets none
// on a case that is another officer's or another unit's: the server would
// refuse them.
func (s *server) caseActions(ctx context.Context, c *store.Case, user, role string) ([]actionView, dispatchForm, error) {
	var na *cases.NotAssignedError
	if err := s.opts.Cases.MayAct(ctx, c, user, role); errors.As(err, &na) {
		return nil, dispatchForm{}, nil
	} else if err != nil {
		return nil, dispatchForm{}, err
	}
	var (
		out  []actionView
		form dispatchForm
	)
	for _, to := range cases.Allowed(c.Status) {
		step, _ := cases.FindStep(c.Status, to)
		if !step.MayTake(role) {
			continue
		}
		av := actionView{To: to, Action: step.Action, Form: "plain"}
		switch {
		case step.Assigns:
			av.Form = "dispatch"
			var err error
			if form, err = s.dispatchForm(ctx, c.Unit); err != nil {
				return nil, form, err
			}
		case step.Action == "report":
			av.Form, av.MaxBytes = "report", s.opts.MaxAttachmentBytes
		case step.NeedsComment:
			av.Form = "comment"
		}
		out = append(out, av)
	}
	return out, form, nil
}
