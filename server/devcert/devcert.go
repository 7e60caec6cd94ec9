// Package devcert ties an edge box's TLS client certificate to the device
// its token belongs to, on a server with mutual TLS (grpc.tls.client_ca).
//
// The TLS handshake has already checked that the certificate comes from
// one of the configured CAs; that alone would let any box with a valid
// certificate use any other box's copied token. So on every call the
// certificate must also name the token's device: its common name, or one
// of its DNS names, is the device id exactly (tlsfiles.NamesDevice). A
// token is still needed: the certificate proves the box holds its key,
// the token that the device is registered and not revoked.
//
// Install the interceptors after the token's (server/auth), which refuses
// a bad token first; this package reads the device id from the token
// without checking it again.
package devcert

import (
	"context"
	"strconv"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"

	"github.com/xiuhua/xiuhua/internal/rpcerr"
	"github.com/xiuhua/xiuhua/internal/tlsfiles"
	"github.com/xiuhua/xiuhua/server/auth"
)

// Check returns nil when the verified client certificate of ctx's peer
// names the device of ctx's bearer token, and Unauthenticated otherwise.
func Check(ctx context.Context) error {
	id, ok := tokenDevice(ctx)
	if !ok {
		return refuse("no device token to tie the client certificate to")
	}
	p, ok := peer.FromContext(ctx)
	if !ok {
		return refuse("no peer")
	}
	info, ok := p.AuthInfo.(credentials.TLSInfo)
	if !ok || len(info.State.VerifiedChains) == 0 || len(info.State.VerifiedChains[0]) == 0 {
		return refuse("device " + strconv.Quote(id) + " sent no verified client certificate (grpc.tls.client_ca is set)")
	}
	leaf := info.State.VerifiedChains[0][0]
	if !tlsfiles.NamesDevice(leaf, id) {
		return refuse("the client certificate names " + strconv.Quote(leaf.Subject.CommonName) +
			", not device " + strconv.Quote(id) + ": issue the box a certificate whose common name or a DNS name is its device id")
	}
	return nil
}

func refuse(msg string) error {
	return rpcerr.New(codes.Unauthenticated, rpcerr.ReasonClientCertificate, msg).Err()
}

func tokenDevice(ctx context.Context) (string, bool) {
	md, _ := metadata.FromIncomingContext(ctx)
	vals := md.Get("authorization")
	if len(vals) != 1 {
		return "", false
	}
	tok, ok := strings.CutPrefix(vals[0], "Bearer ")
	if !ok {
		return "", false
	}
	return auth.DeviceOfToken(tok)
}

// UnaryInterceptor checks unary calls.
func UnaryInterceptor(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
	if err := Check(ctx); err != nil {
		return nil, err
	}
	return h(ctx, req)
}

// StreamInterceptor checks streams when they open.
func StreamInterceptor(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, h grpc.StreamHandler) error {
	if err := Check(ss.Context()); err != nil {
		return err
	}
	return h(srv, ss)
}
