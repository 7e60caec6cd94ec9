package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/app"
	"github.com/xiuhua/xiuhua/server/config"
)

// TestUserUnits: user add -unit and user set-unit take the configured
// units' codes only, and the account then carries the unit.
func TestUserUnits(t *testing.T) {
	dir := t.TempDir()
	cfgFile := writeFile(t, "data_dir: "+dir+"\ncases:\n  units:\n    - {code: NJDL, name: 南京东路街道城管中队}\n    - {code: WT, name: 外滩街道城管中队}\n")
	run := func(args ...string) (int, string) {
		var out, errb bytes.Buffer
		full := append([]string{args[0], args[1], "-config", cfgFile}, args[2:]...)
		code := runCommand(full, env(map[string]string{"XIUHUA_USER_PASSWORD": "a long password"}), strings.NewReader(""), &out, &errb)
		return code, errb.String()
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"add in a unit", []string{"user", "add", "-role", "handler", "-unit", "NJDL", "zhao"}, 0, "user zhao added with role handler in unit NJDL"},
		{"add in none", []string{"user", "add", "-role", "handler", "sun"}, 0, "in no unit"},
		{"unknown unit", []string{"user", "add", "-role", "handler", "-unit", "南京东路街道城管中队", "qian"}, 2,
			`-unit: invalid value "南京东路街道城管中队": allowed: NJDL, WT (cases.units)`},
		{"set", []string{"user", "set-unit", "-unit", "WT", "sun"}, 0, "user sun now in unit WT"},
		{"set unknown", []string{"user", "set-unit", "-unit", "X", "sun"}, 2, `-unit: invalid value "X"`},
		{"set, no such user", []string{"user", "set-unit", "-unit", "WT", "nobody"}, 1, "not found"},
		{"unit on a token", []string{"token", "add", "-role", "handler", "-unit", "WT", "bot"}, 2, "-unit: only user add and user set-unit take it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stderr := run(tc.args...)
			require.Equal(t, tc.code, code, stderr)
			require.Contains(t, stderr, tc.want)
		})
	}
	cfg := config.Default()
	cfg.DataDir = dir
	svc, closer, err := app.OpenAuth(context.Background(), cfg)
	require.NoError(t, err)
	defer closer.Close()
	users, err := svc.Users(context.Background())
	require.NoError(t, err)
	got := map[string]string{}
	for _, u := range users {
		got[u.Name] = u.Unit
	}
	require.Equal(t, map[string]string{"zhao": "NJDL", "sun": "WT"}, got)
}
