package auth

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"

	"github.com/xiuhua/xiuhua/internal/rpcerr"
	"github.com/xiuhua/xiuhua/server/store"
)

// Device modes (config auth.devices).
const (
	DevicesToken = "token" // every call needs a registered device's token
	DevicesOpen  = "open"  // any caller may report as any device (loopback demos)
)

// DeviceAuth checks edge devices' tokens on every gRPC call and, once a
// report or Hello names its device and camera, that they are the caller's.
type DeviceAuth struct {
	Store store.Auth
	// Open lets every call through unchecked.
	Open bool
	// Keys is when a device's key is pinned: KeysFirstHello (default) or
	// KeysAdd.
	Keys string
	Log  *slog.Logger // default: no log
}

type deviceKey struct{}

// device is the authenticated caller of a gRPC call.
type device struct {
	id        string
	cameras   []string
	tokenHash string
}

func credsErr(msg string) error {
	return rpcerr.New(codes.Unauthenticated, rpcerr.ReasonBadCredentials, msg).Err()
}

// authenticate resolves the bearer token in ctx's metadata.
func (a *DeviceAuth) authenticate(ctx context.Context) (context.Context, error) {
	if a.Open {
		return ctx, nil
	}
	md, _ := metadata.FromIncomingContext(ctx)
	vals := md.Get("authorization")
	if len(vals) != 1 {
		return nil, credsErr("device token missing: send metadata authorization: Bearer <token> (server device add)")
	}
	tok, ok := strings.CutPrefix(vals[0], "Bearer ")
	if !ok || tok == "" {
		return nil, credsErr("authorization: want Bearer <token>")
	}
	id, ok := DeviceOfToken(tok)
	if !ok {
		return nil, credsErr("malformed device token: want the one server device add printed")
	}
	ids := []string{id}
	cred, err := a.Store.GetDeviceCredential(ctx, ids[0])
	if errors.Is(err, store.ErrNotFound) {
		return nil, credsErr("unknown device " + quote(ids[0]) + ": register it with server device add")
	}
	if err != nil {
		return nil, rpcerr.New(codes.Unavailable, "", "device registry: "+err.Error()).Err()
	}
	if !equal(cred.TokenHash, HashSecret(tok)) {
		return nil, credsErr("wrong token for device " + quote(ids[0]))
	}
	if cred.Revoked {
		return nil, credsErr("device " + quote(ids[0]) + " is revoked")
	}
	return context.WithValue(ctx, deviceKey{}, &device{id: cred.DeviceID, cameras: cred.Cameras, tokenHash: cred.TokenHash}), nil
}

// Authorize checks that the caller of ctx may act for deviceID and, when
// cameraID is not empty, for that camera: PermissionDenied otherwise.
func (a *DeviceAuth) Authorize(ctx context.Context, deviceID, cameraID string) error {
	if a.Open {
		return nil
	}
	d, _ := ctx.Value(deviceKey{}).(*device)
	if d == nil {
		return credsErr("not authenticated")
	}
	if d.id != deviceID {
		return rpcerr.New(codes.PermissionDenied, rpcerr.ReasonNotYours,
			"device "+quote(d.id)+" may not act for device "+quote(deviceID)).Err()
	}
	if cameraID != "" && len(d.cameras) > 0 && !slices.Contains(d.cameras, cameraID) {
		return rpcerr.New(codes.PermissionDenied, rpcerr.ReasonNotYours,
			"camera "+quote(cameraID)+" is not registered for device "+quote(d.id)).Err()
	}
	return nil
}

// UnaryInterceptor authenticates unary calls.
func (a *DeviceAuth) UnaryInterceptor(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
	ctx, err := a.authenticate(ctx)
	if err != nil {
		return nil, err
	}
	return h(ctx, req)
}

// StreamInterceptor authenticates streams.
func (a *DeviceAuth) StreamInterceptor(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, h grpc.StreamHandler) error {
	ctx, err := a.authenticate(ss.Context())
	if err != nil {
		return err
	}
	return h(srv, &ctxStream{ServerStream: ss, ctx: ctx})
}

type ctxStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *ctxStream) Context() context.Context { return s.ctx }

// DeviceOfToken returns the device id a device token names: such a token is
// "xhd_<device id>.<secret>", so that the check compares against one
// registry row and the edge needs no second setting.
func DeviceOfToken(tok string) (string, bool) {
	rest, ok := strings.CutPrefix(tok, PrefixDevice)
	i := strings.LastIndexByte(rest, '.')
	if !ok || i < 1 || i == len(rest)-1 {
		return "", false
	}
	return rest[:i], true
}

func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }
