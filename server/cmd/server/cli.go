package main

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/xiuhua/xiuhua/server/app"
	"github.com/xiuhua/xiuhua/server/auth"
	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/config"
)

// commands are the first arguments that run an administration command
// instead of the server. They work on the database directly, so they run
// beside a running server (SQLite in WAL mode, or PostgreSQL).
var commands = map[string]bool{"user": true, "token": true, "device": true}

// stringList is a repeatable flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// runCommand runs `server user add|disable|enable|passwd`, `server token
// add|revoke`, `server device add`, `server device rekey` or `server device revoke`. Secrets go to stdout, alone on their
// line, so that a script can capture them; everything else to stderr.
// Exit status 2 for a usage or configuration error, 1 when the command
// fails.
func runCommand(args []string, lookupEnv func(string) (string, bool), stdin io.Reader, stdout, stderr io.Writer) int {
	usage := func() int {
		fmt.Fprintln(stderr, "usage: server user add -role ROLE [-unit CODE] NAME | server user set-unit -unit CODE NAME | server user disable|enable|passwd NAME | server token add -role ROLE NAME | server token revoke NAME | server device add [-camera ID]... [-public-key FILE] ID | server device rekey [-public-key FILE] ID | server device revoke ID  (each also takes -config FILE, -data-dir DIR)")
		return 2
	}
	if len(args) < 2 {
		return usage()
	}
	what, verb := args[0], args[1]
	fs := flag.NewFlagSet("server "+what+" "+verb, flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", defaultConfig, "configuration file (YAML); env XIUHUA_CONFIG")
	dataDir := fs.String("data-dir", "", "data folder, overrides data_dir")
	role := fs.String("role", "", "role: "+strings.Join(cases.Roles, ", "))
	unit := fs.String("unit", "", "the code of the officer's unit (cases.units); \"\" for none")
	var cameras stringList
	fs.Var(&cameras, "camera", "a camera the device may report for (repeat; none: any)")
	keyFile := fs.String("public-key", "", "the device's Ed25519 public key: PEM (openssl pkey -in key.pem -pubout) or base64")
	if err := fs.Parse(args[2:]); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		return usage()
	}
	name := fs.Arg(0)
	key, err := readPublicKey(*keyFile)
	if err != nil {
		fmt.Fprintf(stderr, "server: -public-key: %v\n", err)
		return 2
	}
	cfg, _, err := loadFlagged(fs, *configPath, *dataDir, lookupEnv)
	if err != nil {
		fmt.Fprintf(stderr, "server: %v\n", err)
		return 2
	}
	if err := checkUnitFlag(what+" "+verb, *unit, cfg.Cases.Units); err != nil {
		fmt.Fprintf(stderr, "server: %v\n", err)
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	svc, closer, err := app.OpenAuth(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "server: %v\n", err)
		return 2
	}
	defer closer.Close()

	switch what + " " + verb {
	case "user add":
		pw, rerr := password(lookupEnv, stdin, stderr, "password for "+name)
		if rerr != nil {
			fmt.Fprintf(stderr, "server: %v\n", rerr)
			return 1
		}
		err = svc.AddUserInUnit(ctx, name, *role, *unit, pw)
		if err == nil {
			fmt.Fprintf(stderr, "user %s added with role %s%s\n", name, *role, inUnit(*unit))
		}
	case "user set-unit":
		if err = svc.SetUserUnit(ctx, name, *unit); err == nil {
			fmt.Fprintf(stderr, "user %s now%s\n", name, inUnit(*unit))
		}
	case "token add":
		var tok string
		if tok, err = svc.AddAPIToken(ctx, name, *role, "cli"); err == nil {
			fmt.Fprintf(stderr, "API token %s (%s), shown only now; send it as Authorization: Bearer <token>\n", name, *role)
			fmt.Fprintln(stdout, tok)
		}
	case "device add":
		var tok string
		if tok, err = svc.AddDeviceWithKey(ctx, name, cameras, key); err == nil {
			fmt.Fprintf(stderr, "device %s registered, token shown only now; put it in the edge's server.token or server.token_file\n", name)
			fmt.Fprintln(stdout, tok)
		}
	case "user disable":
		if err = svc.DisableUser(ctx, name); err == nil {
			fmt.Fprintf(stderr, "user %s disabled, signed out everywhere\n", name)
		}
	case "user enable":
		if err = svc.EnableUser(ctx, name); err == nil {
			fmt.Fprintf(stderr, "user %s enabled\n", name)
		}
	case "user passwd":
		pw, rerr := password(lookupEnv, stdin, stderr, "new password for "+name)
		if rerr != nil {
			fmt.Fprintf(stderr, "server: %v\n", rerr)
			return 1
		}
		if err = svc.SetPassword(ctx, name, pw); err == nil {
			fmt.Fprintf(stderr, "password of %s changed, signed out everywhere\n", name)
		}
	case "token revoke":
		var n int64
		if n, err = svc.RevokeAPIToken(ctx, name); err == nil {
			fmt.Fprintf(stderr, "API token %s revoked (%d live)\n", name, n)
		}
	case "device rekey":
		if key == nil && cfg.Auth.DeviceKeys == config.DeviceKeysAdd {
			fmt.Fprintln(stderr, "server: device rekey: auth.device_keys is add: give the new key with -public-key FILE")
			return 2
		}
		if err = svc.RekeyDevice(ctx, name, key); err == nil && key == nil {
			fmt.Fprintf(stderr, "device %s: key unpinned; its next Hello pins the key it sends\n", name)
		} else if err == nil {
			fmt.Fprintf(stderr, "device %s: key %s pinned\n", name, auth.KeyFingerprint(key))
		}
	case "device revoke":
		if err = svc.RevokeDevice(ctx, name); err == nil {
			fmt.Fprintf(stderr, "device %s revoked\n", name)
		}
	default:
		return usage()
	}
	if errors.Is(err, auth.ErrInvalid) || errors.Is(err, auth.ErrWeakPassword) {
		fmt.Fprintf(stderr, "server: %v\n", err)
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "server: %v\n", err)
		return 1
	}
	return 0
}

// password is $XIUHUA_USER_PASSWORD when set (scripts), else a line read
// from stdin after the prompt.
func password(lookupEnv func(string) (string, bool), stdin io.Reader, stderr io.Writer, prompt string) (string, error) {
	if pw, ok := lookupEnv("XIUHUA_USER_PASSWORD"); ok {
		return pw, nil
	}
	fmt.Fprintf(stderr, "%s (%d to 72 bytes): ", prompt, auth.MinPasswordLen)
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// readPublicKey reads -public-key's file; "" is no key.
func readPublicKey(path string) (ed25519.PublicKey, error) {
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return auth.ParsePublicKey(b)
}

// checkUnitFlag holds -unit to the configured units' codes; only the
// commands about an account's unit take it.
func checkUnitFlag(command, unit string, units []cases.Unit) error {
	if command != "user add" && command != "user set-unit" {
		if unit != "" {
			return fmt.Errorf("-unit: only user add and user set-unit take it")
		}
		return nil
	}
	if unit == "" {
		return nil
	}
	codes := make([]string, 0, len(units))
	for _, u := range units {
		if u.Code == unit {
			return nil
		}
		codes = append(codes, u.Code)
	}
	if len(codes) == 0 {
		return fmt.Errorf("-unit: invalid value %q: allowed: none: cases.units lists no units", unit)
	}
	return fmt.Errorf("-unit: invalid value %q: allowed: %s (cases.units)", unit, strings.Join(codes, ", "))
}

func inUnit(unit string) string {
	if unit == "" {
		return ", in no unit"
	}
	return " in unit " + unit
}
