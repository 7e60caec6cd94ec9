package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/app"
	"github.com/xiuhua/xiuhua/server/auth"
	"github.com/xiuhua/xiuhua/server/config"
)

// TestCommands runs each administration command against one data folder
// and checks what it stored through the auth service.
func TestCommands(t *testing.T) {
	dir := t.TempDir()
	cfgFile := writeFile(t, "data_dir: "+dir+"\n")
	runIt := func(envm map[string]string, stdin string, args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		full := append([]string{args[0], args[1], "-config", cfgFile}, args[2:]...)
		code := runCommand(full, env(envm), strings.NewReader(stdin), &out, &errb)
		return code, out.String(), errb.String()
	}
	// Flags come before the name, as the flag package wants.
	code, _, stderr := runIt(map[string]string{"XIUHUA_USER_PASSWORD": "a long password"}, "", "user", "add", "-role", "reviewer", "li")
	require.Equal(t, 0, code, stderr)
	code, _, stderr = runIt(nil, "another long password\n", "user", "add", "-role", "handler", "wang")
	require.Equal(t, 0, code, stderr)
	code, tok, stderr := runIt(nil, "", "token", "add", "-role", "dispatcher", "platform")
	require.Equal(t, 0, code, stderr)
	code, devTok, stderr := runIt(nil, "", "device", "add", "-camera", "cam1", "edge-01")
	require.Equal(t, 0, code, stderr)
	require.True(t, strings.HasPrefix(devTok, "xhd_edge-01."), devTok)

	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"bad role", []string{"user", "add", "-role", "mayor", "x"}, 2, `role: invalid value "mayor": allowed: reviewer, dispatcher, handler, admin`},
		{"short password", []string{"user", "add", "-role", "admin", "y"}, 2, "password: must be 10 to 72 bytes"},
		{"taken", []string{"user", "add", "-role", "admin", "li"}, 1, "already exists"},
		{"bad device id", []string{"device", "add", "bad id"}, 2, `device id: invalid value "bad id"`},
		{"unknown device", []string{"device", "revoke", "edge-99"}, 1, "not found"},
		{"unknown verb", []string{"user", "delete", "li"}, 2, "usage:"},
		{"no name", []string{"token", "add", "-role", "admin"}, 2, "usage:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pw := "short"
			if tc.name == "taken" {
				pw = "a long password"
			}
			code, _, stderr := runIt(map[string]string{"XIUHUA_USER_PASSWORD": pw}, "", tc.args...)
			require.Equal(t, tc.code, code, stderr)
			require.Contains(t, stderr, tc.want)
		})
	}
	code, _, stderr = runIt(nil, "", "device", "revoke", "edge-01")
	require.Equal(t, 0, code, stderr)

	cfg := config.Default()
	cfg.DataDir = dir
	svc, closer, err := app.OpenAuth(context.Background(), cfg)
	require.NoError(t, err)
	defer closer.Close()
	ctx := context.Background()
	_, _, err = svc.Login(ctx, "li", "a long password")
	require.NoError(t, err)
	_, _, err = svc.Login(ctx, "wang", "another long password")
	require.NoError(t, err, "password read from stdin")
	p, err := svc.Bearer(ctx, strings.TrimSpace(tok))
	require.NoError(t, err)
	require.Equal(t, &auth.Principal{Name: "token:platform", Role: "dispatcher"}, p)
	closer.Close()

	// Taking access away: each command, then what the auth service says.
	for _, tc := range []struct {
		envm map[string]string
		args []string
		code int
		want string
	}{
		{nil, []string{"user", "disable", "wang"}, 0, "user wang disabled"},
		{nil, []string{"user", "disable", "nobody"}, 1, "not found"},
		{map[string]string{"XIUHUA_USER_PASSWORD": "a new long password"}, []string{"user", "passwd", "li"}, 0, "password of li changed"},
		{map[string]string{"XIUHUA_USER_PASSWORD": "short"}, []string{"user", "passwd", "li"}, 2, "password: must be"},
		{nil, []string{"token", "revoke", "platform"}, 0, "API token platform revoked (1 live)"},
		{nil, []string{"token", "revoke", "nobody"}, 1, "not found"},
	} {
		code, _, stderr := runIt(tc.envm, "", tc.args...)
		require.Equal(t, tc.code, code, "%v: %s", tc.args, stderr)
		require.Contains(t, stderr, tc.want, tc.args)
	}
	svc, closer, err = app.OpenAuth(ctx, cfg)
	require.NoError(t, err)
	defer closer.Close()
	_, _, err = svc.Login(ctx, "wang", "another long password")
	require.ErrorIs(t, err, auth.ErrBadLogin, "disabled")
	_, _, err = svc.Login(ctx, "li", "a long password")
	require.ErrorIs(t, err, auth.ErrBadLogin, "old password")
	_, _, err = svc.Login(ctx, "li", "a new long password")
	require.NoError(t, err)
	_, err = svc.Bearer(ctx, strings.TrimSpace(tok))
	require.ErrorIs(t, err, auth.ErrNoCredentials, "revoked token")
}
