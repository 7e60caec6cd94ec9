package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"

	"google.golang.org/grpc"

	"github.com/xiuhua/xiuhua/server/auth"
	"github.com/xiuhua/xiuhua/server/config"
	"github.com/xiuhua/xiuhua/server/store"
)

// Auth is the server's account, token and device registry service, for
// the CLI and tests.
func (a *App) Auth() *auth.Service { return a.auth }

// openAuth builds the auth service and the device check, and makes the
// first admin when there are no accounts. A generated password is logged
// once, at warn, so that it stands out: it is the only way in.
func openAuth(ctx context.Context, cfg config.Config, st store.Store, log *slog.Logger) (*auth.Service, *auth.DeviceAuth, error) {
	svc := auth.New(auth.Options{Store: st, SessionTTL: cfg.Auth.SessionTTL.D(), Log: log})
	created, generated, err := svc.Bootstrap(ctx, cfg.Auth.BootstrapAdmin, cfg.Auth.AdminPassword)
	if err != nil {
		return nil, nil, err
	}
	if created && generated != "" {
		log.Warn("first admin created with a generated password, shown only now: sign in and keep it safe",
			"user", cfg.Auth.BootstrapAdmin, "password", generated)
	}
	devices := &auth.DeviceAuth{Store: st, Open: cfg.Auth.Devices == config.DevicesOpen, Keys: cfg.Auth.DeviceKeys, Log: log}
	if devices.Open {
		log.Warn("auth.devices is open: any caller may report as any device; use it only for loopback demos")
	}
	return svc, devices, nil
}

// deviceInterceptors authenticate every gRPC call of an edge device.
func deviceInterceptors(d *auth.DeviceAuth) []grpc.ServerOption {
	return []grpc.ServerOption{
		grpc.ChainUnaryInterceptor(d.UnaryInterceptor),
		grpc.ChainStreamInterceptor(d.StreamInterceptor),
	}
}

// OpenAuth opens the database cfg names (migrating it) for the command
// line's account, token and device commands; close the Closer after.
func OpenAuth(ctx context.Context, cfg config.Config) (*auth.Service, io.Closer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, nil, err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, nil, fmt.Errorf("data_dir: %w", err)
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	return auth.New(auth.Options{Store: st, SessionTTL: cfg.Auth.SessionTTL.D(), Log: slog.New(slog.DiscardHandler)}), st, nil
}
