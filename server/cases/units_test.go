package cases_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/store"
)

func TestCheckUnits(t *testing.T) {
	for _, tc := range []struct {
		name  string
		units []cases.Unit
		want  []string // substrings, one per error
	}{
		{"none", nil, nil},
		{"good", []cases.Unit{{Code: "NJDL-01", Name: "南京东路街道城管中队"}, {Code: "wt.2", Name: "外滩街道城管中队"}}, nil},
		{"no code", []cases.Unit{{Name: "中队"}}, []string{`units[0].code: invalid value ""`}},
		{"code not ASCII", []cases.Unit{{Code: "中队", Name: "中队"}}, []string{`units[0].code: invalid value "中队": allowed: 1 to 64 letters`}},
		{"code with a space", []cases.Unit{{Code: "a b", Name: "中队"}}, []string{`units[0].code`}},
		{"code too long", []cases.Unit{{Code: strings.Repeat("a", 65), Name: "中队"}}, []string{`units[0].code`}},
		{"no name", []cases.Unit{{Code: "a", Name: " "}}, []string{`units[0].name: invalid value " "`}},
		{"name with a newline", []cases.Unit{{Code: "a", Name: "中\n队"}}, []string{`units[0].name`}},
		{"repeated", []cases.Unit{{Code: "a", Name: "甲"}, {Code: "a", Name: "甲"}},
			[]string{`units[1].code: invalid value "a": allowed: a code no other unit has`, `units[1].name: invalid value "甲": allowed: a name no other unit has`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			errs := cases.CheckUnits(tc.units)
			require.Len(t, errs, len(tc.want), "%v", errs)
			for i, w := range tc.want {
				require.ErrorContains(t, errs[i], w)
			}
		})
	}
	require.Equal(t, []cases.Unit{{Code: "甲", Name: "甲"}, {Code: "乙", Name: "乙"}}, cases.UnitsFromNames("", "甲", " 乙 ", "甲"))
}

// unitsService has two units, a case opened in the first's grid cell, and
// handlers in each unit, one in none.
func unitsService(t *testing.T, cellUnit string) (*cases.Service, store.Store) {
	cfg := cases.DefaultConfig()
	cfg.Units = []cases.Unit{{Code: "NJDL", Name: "南京东路街道城管中队"}, {Code: "WT", Name: "外滩街道城管中队"}}
	cfg.Grid = func(lat, lon float64) (string, string, bool) { return "g1", cellUnit, true }
	svc, st := newService(t, cfg)
	ctx := context.Background()
	for _, u := range []store.User{
		{Name: "zhao", Role: cases.RoleHandler, Unit: "NJDL"}, {Name: "sun", Role: cases.RoleHandler, Unit: "WT"},
		{Name: "zhou", Role: cases.RoleHandler}, {Name: "wang", Role: cases.RoleDispatcher, Unit: "NJDL"},
	} {
		u.PasswordHash = "x"
		require.NoError(t, st.CreateUser(ctx, &u))
	}
	return svc, st
}

// filedCase opens a case and files it.
func filedCase(t *testing.T, svc *cases.Service, n int) *store.CaseDetail {
	ctx := context.Background()
	r := report(fmt.Sprintf("u%d", n))
	r.CameraID = fmt.Sprintf("cam-u%d", n)
	r.Location = &store.GeoPoint{Lat: 31.23, Lon: 121.47}
	id, _, err := svc.Record(ctx, r)
	require.NoError(t, err)
	d, err := svc.Transition(ctx, cases.Request{CaseID: id, To: cases.StatusFiled, Version: 1, Actor: "li", Role: cases.RoleReviewer})
	require.NoError(t, err)
	return d
}

// TestDispatchToKnownUnits: with units configured a dispatch names one by
// code or name (or the case's own, when that is one), keeps its name on the
// case, and takes only an officer of that unit.
func TestDispatchToKnownUnits(t *testing.T) {
	for _, tc := range []struct {
		name, cellUnit, unit, officer string
		wantUnit, wantErr             string
	}{
		{name: "by code", cellUnit: "南京东路街道城管中队", unit: "WT", wantUnit: "外滩街道城管中队"},
		{name: "by name", cellUnit: "南京东路街道城管中队", unit: "外滩街道城管中队", officer: "sun", wantUnit: "外滩街道城管中队"},
		{name: "the cell's unit", cellUnit: "南京东路街道城管中队", officer: "zhao", wantUnit: "南京东路街道城管中队"},
		{name: "the cell's unit by code", cellUnit: "NJDL", wantUnit: "南京东路街道城管中队"},
		{name: "none, the cell's unknown", cellUnit: "城管大队", wantErr: `unit: required: the case has no known unit of its own ("城管大队"): allowed: NJDL, WT`},
		{name: "none, no cell unit", cellUnit: "", wantErr: `unit: required`},
		{name: "unknown", cellUnit: "南京东路街道城管中队", unit: "城管大队", wantErr: `unit: invalid value "城管大队": no such unit: allowed: NJDL, WT`},
		{name: "a code's prefix", cellUnit: "南京东路街道城管中队", unit: "NJ", wantErr: `unit: invalid value "NJ"`},
		{name: "officer of another unit", cellUnit: "南京东路街道城管中队", unit: "WT", officer: "zhao",
			wantErr: `officer: invalid value "zhao": the account is in unit "NJDL", not "WT": allowed: an enabled account with the handler role in unit "WT"`},
		{name: "officer of no unit", cellUnit: "南京东路街道城管中队", officer: "zhou", wantErr: `officer: invalid value "zhou": the account is in unit ""`},
		{name: "a dispatcher of the unit", cellUnit: "南京东路街道城管中队", officer: "wang", wantErr: `the account's role is dispatcher`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc, st := unitsService(t, tc.cellUnit)
			d := filedCase(t, svc, 1)
			got, err := svc.Transition(context.Background(), cases.Request{CaseID: d.ID, To: cases.StatusDispatched, Version: d.Version,
				Actor: "wang", Role: cases.RoleDispatcher, Unit: tc.unit, Officer: tc.officer})
			if tc.wantErr != "" {
				require.ErrorIs(t, err, cases.ErrBadRequest)
				require.ErrorContains(t, err, tc.wantErr)
				after, err := st.GetCase(context.Background(), d.ID)
				require.NoError(t, err)
				require.Equal(t, cases.StatusFiled, after.Status, "nothing moved")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.wantUnit, got.Unit)
			require.Equal(t, tc.officer, got.Assignee)
		})
	}
}

// TestMayAct: a case with a named officer is that officer's; one
// dispatched to a unit alone is for that unit's handlers only; other
// roles are not held by it.
func TestMayAct(t *testing.T) {
	svc, _ := unitsService(t, "南京东路街道城管中队")
	ctx := context.Background()
	named := &store.Case{ID: "c1", Status: cases.StatusDispatched, Unit: "南京东路街道城管中队", Assignee: "zhao"}
	unitOnly := &store.Case{ID: "c2", Status: cases.StatusDispatched, Unit: "南京东路街道城管中队"}
	lostUnit := &store.Case{ID: "c3", Status: cases.StatusDispatched, Unit: "已撤销的中队"}
	for _, tc := range []struct {
		name        string
		c           *store.Case
		actor, role string
		ok          bool
	}{
		{"the named officer", named, "zhao", cases.RoleHandler, true},
		{"another handler of the unit", named, "sun", cases.RoleHandler, false},
		{"a handler of the unit", unitOnly, "zhao", cases.RoleHandler, true},
		{"a handler of another unit", unitOnly, "sun", cases.RoleHandler, false},
		{"a handler of no unit", unitOnly, "zhou", cases.RoleHandler, false},
		{"a handler token, no account", unitOnly, "handler-bot", cases.RoleHandler, false},
		{"a unit no longer known", lostUnit, "zhao", cases.RoleHandler, false},
		{"a dispatcher", unitOnly, "wang", cases.RoleDispatcher, true},
		{"an admin", named, "root", cases.RoleAdmin, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := svc.MayAct(ctx, tc.c, tc.actor, tc.role)
			if tc.ok {
				require.NoError(t, err)
				return
			}
			var na *cases.NotAssignedError
			require.True(t, errors.As(err, &na), "%v", err)
			require.Equal(t, tc.actor, na.Actor)
		})
	}

	// Through Transition: a unit's case is accepted by its handler only.
	d := filedCase(t, svc, 2)
	d, err := svc.Transition(ctx, cases.Request{CaseID: d.ID, To: cases.StatusDispatched, Version: d.Version, Actor: "wang", Role: cases.RoleDispatcher, Unit: "NJDL"})
	require.NoError(t, err)
	_, err = svc.Transition(ctx, cases.Request{CaseID: d.ID, To: cases.StatusHandling, Version: d.Version, Actor: "sun", Role: cases.RoleHandler})
	require.ErrorContains(t, err, `case is dispatched to unit "南京东路街道城管中队", and "sun" is not one of its handlers`)
	d, err = svc.Transition(ctx, cases.Request{CaseID: d.ID, To: cases.StatusHandling, Version: d.Version, Actor: "zhao", Role: cases.RoleHandler})
	require.NoError(t, err)
	require.Equal(t, cases.StatusHandling, d.Status)
}
