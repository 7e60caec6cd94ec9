package cases_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/store"
)

// TestDispatchAssigns: a dispatch stores its unit (the grid cell's by
// default) and its officer (an enabled handler) on the case and in its
// audit entry; anything else is refused as a bad request naming the field,
// and a refused step changes nothing.
func TestDispatchAssigns(t *testing.T) {
	ctx := context.Background()
	cfg := cases.DefaultConfig()
	cfg.Grid = func(lat, lon float64) (string, string, bool) { return "g1", "南京东路街道城管中队", true }
	cfg.Events = sinksFor{cases.EventTransitioned}
	svc, st := newService(t, cfg)
	for _, u := range []store.User{
		{Name: "zhao", Role: cases.RoleHandler}, {Name: "li", Role: cases.RoleReviewer},
		{Name: "qian", Role: cases.RoleHandler, Disabled: true}, {Name: "boss", Role: cases.RoleAdmin},
	} {
		u.PasswordHash = "x"
		require.NoError(t, st.CreateUser(ctx, &u))
		if u.Disabled {
			require.NoError(t, st.SetUserDisabled(ctx, u.Name, true))
		}
	}
	n := 0
	open := func(t *testing.T) string {
		n++
		r := report(fmt.Sprintf("e%d", n))
		r.CameraID = fmt.Sprintf("cam%d", n) // a case each, not merged
		r.Location = &store.GeoPoint{Lat: 31.23, Lon: 121.47}
		id, _, err := svc.Record(ctx, r)
		require.NoError(t, err)
		return id
	}
	for _, tc := range []struct {
		name          string
		to            string
		unit, officer string
		wantUnit      string
		wantOfficer   string
		wantErr       string
	}{
		{name: "unit and officer", to: cases.StatusDispatched, unit: "外滩街道城管中队", officer: "zhao", wantUnit: "外滩街道城管中队", wantOfficer: "zhao"},
		{name: "the grid cell's unit by default", to: cases.StatusDispatched, officer: " zhao ", wantUnit: "南京东路街道城管中队", wantOfficer: "zhao"},
		{name: "the unit alone", to: cases.StatusDispatched, unit: "外滩街道城管中队", wantUnit: "外滩街道城管中队"},
		{name: "nothing named", to: cases.StatusDispatched, wantUnit: "南京东路街道城管中队"},
		{name: "no such officer", to: cases.StatusDispatched, officer: "nobody", wantErr: `officer: invalid value "nobody": no such account`},
		{name: "a disabled officer", to: cases.StatusDispatched, officer: "qian", wantErr: `officer: invalid value "qian": the account is disabled`},
		{name: "a reviewer", to: cases.StatusDispatched, officer: "li", wantErr: `officer: invalid value "li": the account's role is reviewer: allowed: an enabled account with the handler role`},
		{name: "an admin", to: cases.StatusDispatched, officer: "boss", wantErr: `officer: invalid value "boss"`},
		{name: "SQL for a name", to: cases.StatusDispatched, officer: "' OR '1'='1", wantErr: `officer: invalid value "' OR '1'='1": no such account`},
		{name: "a unit too long", to: cases.StatusDispatched, unit: strings.Repeat("队", 100), wantErr: "unit: invalid value"},
		{name: "a unit with a newline", to: cases.StatusDispatched, unit: "a\nb", wantErr: "unit: invalid value"},
		{name: "a unit on another step", to: cases.StatusRejected, unit: "外滩街道城管中队", wantErr: "unit: only the dispatch step"},
		{name: "an officer on another step", to: cases.StatusRejected, officer: "zhao", wantErr: "officer: only the dispatch step"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := open(t)
			if tc.to != cases.StatusDispatched {
				_, err := svc.Transition(ctx, cases.Request{CaseID: id, To: tc.to, Version: 1, Actor: "li", Role: cases.RoleReviewer,
					Comment: "不是违规", Unit: tc.unit, Officer: tc.officer})
				require.ErrorIs(t, err, cases.ErrBadRequest)
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			d, err := svc.Transition(ctx, cases.Request{CaseID: id, To: cases.StatusFiled, Version: 1, Actor: "li", Role: cases.RoleReviewer})
			require.NoError(t, err)
			got, err := svc.Transition(ctx, cases.Request{CaseID: d.ID, To: tc.to, Version: d.Version, Actor: "wang",
				Role: cases.RoleDispatcher, Unit: tc.unit, Officer: tc.officer})
			if tc.wantErr != "" {
				require.ErrorIs(t, err, cases.ErrBadRequest)
				require.ErrorContains(t, err, tc.wantErr)
				after, err := st.GetCase(ctx, d.ID)
				require.NoError(t, err)
				require.Equal(t, cases.StatusFiled, after.Status, "a refused dispatch changes nothing")
				require.Equal(t, "南京东路街道城管中队", after.Unit)
				require.Empty(t, after.Assignee)
				return
			}
			require.NoError(t, err)
			require.Equal(t, cases.StatusDispatched, got.Status)
			require.Equal(t, tc.wantUnit, got.Unit)
			require.Equal(t, tc.wantOfficer, got.Assignee)
			last := got.Audit[len(got.Audit)-1]
			require.Equal(t, "dispatch", last.Action)
			require.Equal(t, &store.Assignee{Unit: tc.wantUnit, Officer: tc.wantOfficer}, last.Assign)
			// Outside systems learn who it went to.
			items, err := st.ClaimOutbox(ctx, "t", []string{"s"}, time.Now().Add(time.Second), time.Minute, 100)
			require.NoError(t, err)
			var ev *cases.Event
			for _, it := range items {
				var e cases.Event
				require.NoError(t, json.Unmarshal(it.Payload, &e))
				if e.Case.ID == id && e.Transition.Action == "dispatch" {
					ev = &e
				}
			}
			require.NotNil(t, ev, "the dispatch event")
			require.Equal(t, tc.wantUnit, ev.Case.Unit)
			require.Equal(t, tc.wantOfficer, ev.Case.Assignee)

			// The handler's next step keeps both.
			got, err = svc.Transition(ctx, cases.Request{CaseID: d.ID, To: cases.StatusHandling, Version: got.Version, Actor: "zhao", Role: cases.RoleHandler})
			require.NoError(t, err)
			require.Equal(t, tc.wantUnit, got.Unit)
			require.Equal(t, tc.wantOfficer, got.Assignee)
			require.Nil(t, got.Audit[len(got.Audit)-1].Assign)
		})
	}
	page, err := st.ListCases(ctx, store.CaseFilter{Assignee: "zhao", Limit: 50})
	require.NoError(t, err)
	require.Len(t, page.Cases, 2, "the two cases dispatched to zhao are zhao's")
}
