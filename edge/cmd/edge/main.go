// Command edge is the roadside node: it watches RTSP cameras, runs the
// detector, applies the zone rules and reports violations with evidence to
// the central server.
//
//	edge -config edge.yaml
//
// Exit status: 0 after a clean shutdown (SIGINT/SIGTERM), 1 on a runtime
// failure, 2 on a configuration error.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/xiuhua/xiuhua/edge/app"
	"github.com/xiuhua/xiuhua/edge/config"
	"github.com/xiuhua/xiuhua/internal/conf"
	"github.com/xiuhua/xiuhua/internal/logging"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	fs := flag.NewFlagSet("edge", flag.ContinueOnError)
	cfgPath := fs.String("config", "edge.yaml", "configuration file (YAML)")
	server := fs.String("server", "", "override server.address")
	dataDir := fs.String("data-dir", "", "override device.data_dir")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg, err := loadConfig(*cfgPath, *server, *dataDir)
	if err != nil {
		fmt.Fprintf(os.Stderr, "edge: configuration error:\n%v\n", err)
		return 2
	}
	logger, err := logging.New(os.Stderr, cfg.Log.Level, cfg.Log.Format)
	if err != nil {
		fmt.Fprintf(os.Stderr, "edge: %v\n", err)
		return 2
	}
	slog.SetDefault(logger)

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := app.Run(ctx, cfg, logger); err != nil {
		var fe *conf.FieldError
		if errors.As(err, &fe) {
			fmt.Fprintf(os.Stderr, "edge: configuration error:\n%v\n", err)
			return 2
		}
		logger.Error("edge stopped", "err", err)
		return 1
	}
	logger.Info("edge stopped cleanly")
	return 0
}

// loadConfig reads the file, then applies flag and environment overrides
// (flags win), and validates the result.
func loadConfig(path, server, dataDir string) (config.Config, error) {
	cfg, err := config.Load(path)
	if err != nil {
		return cfg, err
	}
	override := func(dst *string, env, flagValue string) {
		if v := os.Getenv(env); v != "" {
			*dst = v
		}
		if flagValue != "" {
			*dst = flagValue
		}
	}
	override(&cfg.Server.Address, "XIUHUA_SERVER", server)
	override(&cfg.Device.DataDir, "XIUHUA_DATA_DIR", dataDir)
	return cfg, cfg.Validate()
}
