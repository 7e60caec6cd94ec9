// Command server is Xiuhua's central server: it receives violations from
// edge boxes over gRPC, files them into cases and serves the officers' pages.
//
//	server [-config server.yaml] [-data-dir DIR] [-http ADDR] [-grpc ADDR]
//	server user add [-config ...] -role ROLE NAME      (password: env XIUHUA_USER_PASSWORD or stdin)
//	server token add [-config ...] -role ROLE NAME     (prints an API token)
//	server device add [-config ...] [-camera ID]... [-public-key FILE] ID (prints a device token)
//	server device rekey [-config ...] [-public-key FILE] ID (a replaced box's key)
//	server device revoke [-config ...] ID
//
// Settings come from the defaults, then the config file, then XIUHUA_*
// environment variables, then flags. An invalid configuration exits with
// status 2; SIGINT or SIGTERM stops the server gracefully, exiting 0.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/xiuhua/xiuhua/internal/conf"
	"github.com/xiuhua/xiuhua/server/app"
	"github.com/xiuhua/xiuhua/server/config"
)

// defaultConfig is read when present; -config or XIUHUA_CONFIG name a file
// that must exist.
const defaultConfig = "server.yaml"

func main() {
	if len(os.Args) > 1 && commands[os.Args[1]] {
		os.Exit(runCommand(os.Args[1:], os.LookupEnv, os.Stdin, os.Stdout, os.Stderr))
	}
	if len(os.Args) > 1 && os.Args[1] == exportCommand {
		os.Exit(runExport(os.Args[2:], os.LookupEnv, os.Stderr))
	}
	os.Exit(run(os.Args[1:], os.LookupEnv, os.Stderr))
}

// loadConfig reads the file the flag (when set), XIUHUA_CONFIG or the
// default path names; the default path need not exist.
// loadFlagged loads the configuration the way every command does: the file
// of -config or $XIUHUA_CONFIG, then the environment, then -data-dir. It
// returns the names of the flags given, for a command's own overrides.
func loadFlagged(fs *flag.FlagSet, configPath, dataDir string, lookupEnv func(string) (string, bool)) (config.Config, map[string]bool, error) {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	cfg, err := loadConfig(configPath, set["config"], lookupEnv)
	if err != nil {
		return cfg, set, err
	}
	cfg.ApplyEnv(lookupEnv)
	if set["data-dir"] {
		cfg.DataDir = dataDir
	}
	return cfg, set, nil
}

func loadConfig(path string, flagSet bool, lookupEnv func(string) (string, bool)) (config.Config, error) {
	switch env, ok := lookupEnv("XIUHUA_CONFIG"); {
	case flagSet:
		return config.Load(path)
	case ok:
		return config.Load(env)
	default:
		return config.LoadOptional(path)
	}
}

func run(args []string, lookupEnv func(string) (string, bool), stderr io.Writer) int {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", defaultConfig, "configuration file (YAML); env XIUHUA_CONFIG")
	dataDir := fs.String("data-dir", "", "data folder, overrides data_dir; env XIUHUA_DATA_DIR")
	httpAddr := fs.String("http", "", "HTTP listen address, overrides http.listen; env XIUHUA_HTTP_LISTEN")
	grpcAddr := fs.String("grpc", "", "gRPC listen address, overrides grpc.listen; env XIUHUA_GRPC_LISTEN")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: server [flags]\n\nEnvironment overrides: XIUHUA_CONFIG %s\n\nFlags:\n",
			strings.Join(config.EnvNames(), " "))
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "server: unexpected arguments: %s\n", strings.Join(fs.Args(), " "))
		return 2
	}
	cfg, set, err := loadFlagged(fs, *configPath, *dataDir, lookupEnv)
	if err != nil {
		fmt.Fprintf(stderr, "server: %v\n", err)
		return 2
	}
	if set["http"] {
		cfg.HTTP.Listen = *httpAddr
	}
	if set["grpc"] {
		cfg.GRPC.Listen = *grpcAddr
	}
	if err := cfg.Validate(); err != nil {
		fmt.Fprintf(stderr, "server: invalid configuration:\n%v\n", err)
		return 2
	}

	log := app.NewLogger(cfg.Log, stderr)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a, err := app.New(cfg, app.WithLogger(log))
	if err != nil {
		// Some fields can only be checked now (a secret's environment
		// variable, a grid file): still the operator's mistake, still 2.
		var fe *conf.FieldError
		if errors.As(err, &fe) {
			fmt.Fprintf(stderr, "server: invalid configuration:\n%v\n", err)
			return 2
		}
		log.Error("cannot start", "err", err)
		return 1
	}
	if err := a.Run(ctx); err != nil {
		log.Error("server failed", "err", err)
		return 1
	}
	return 0
}
