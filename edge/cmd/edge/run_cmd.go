package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/xiuhua/xiuhua/edge/app"
	"github.com/xiuhua/xiuhua/edge/config"
	"github.com/xiuhua/xiuhua/internal/conf"
	"github.com/xiuhua/xiuhua/internal/logging"
)

// runNode runs the edge node until SIGINT or SIGTERM.
func runNode(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("edge run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfgPath := fs.String("config", "edge.yaml", "configuration file (YAML)")
	server := fs.String("server", "", "override server.address")
	dataDir := fs.String("data-dir", "", "override device.data_dir")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "edge: unexpected arguments %q\n", fs.Args())
		return 2
	}
	cfg, err := loadConfig(*cfgPath, *server, *dataDir)
	if err != nil {
		fmt.Fprintf(stderr, "edge: configuration error:\n%v\n", err)
		return 2
	}
	logger, err := logging.New(stderr, cfg.Log.Level, cfg.Log.Format)
	if err != nil {
		fmt.Fprintf(stderr, "edge: %v\n", err)
		return 2
	}
	slog.SetDefault(logger)

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := app.Run(ctx, cfg, logger); err != nil {
		var fe *conf.FieldError
		if errors.As(err, &fe) {
			fmt.Fprintf(stderr, "edge: configuration error:\n%v\n", err)
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
