package app

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/xiuhua/xiuhua/internal/tlsfiles"
	"github.com/xiuhua/xiuhua/server/config"
	"github.com/xiuhua/xiuhua/server/devcert"
)

// grpcCreds is TLS for edge connections and, with a client CA, mutual TLS:
// the handshake then refuses a box without a certificate from that CA.
// Config.Validate has checked the files; reading them can still fail when
// they change in between.
func grpcCreds(t config.TLS) (credentials.TransportCredentials, error) {
	cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("grpc.tls: load certificate and key: %w", err)
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
	if t.MutualTLS() {
		pool, err := tlsfiles.LoadPool(t.ClientCA)
		if err != nil {
			return nil, fmt.Errorf("grpc.tls.client_ca: %w", err)
		}
		cfg.ClientCAs, cfg.ClientAuth = pool, tls.RequireAndVerifyClientCert
	}
	return credentials.NewTLS(cfg), nil
}

// certInterceptors tie each call's client certificate to its token's
// device (package devcert). They go after the token's interceptors, so a
// bad token is refused as such first.
func certInterceptors(t config.TLS) []grpc.ServerOption {
	if !t.MutualTLS() {
		return nil
	}
	return []grpc.ServerOption{
		grpc.ChainUnaryInterceptor(devcert.UnaryInterceptor),
		grpc.ChainStreamInterceptor(devcert.StreamInterceptor),
	}
}

// listenHTTP binds the officers' side, speaking TLS when http.tls is set
// (HTTP/2 offered first: each open page holds a live-update stream, and
// HTTP/1.1 allows a browser only six connections to a host).
func listenHTTP(h config.HTTP) (net.Listener, error) {
	l, err := net.Listen("tcp", h.Listen)
	if err != nil {
		return nil, fmt.Errorf("http.listen: %w", err)
	}
	if !h.TLS.Enabled() {
		return l, nil
	}
	cert, err := tls.LoadX509KeyPair(h.TLS.CertFile, h.TLS.KeyFile)
	if err != nil {
		l.Close()
		return nil, fmt.Errorf("http.tls: load certificate and key: %w", err)
	}
	return tls.NewListener(l, &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{cert},
		NextProtos:   []string{"h2", "http/1.1"},
	}), nil
}

// withHSTS tells browsers to use only HTTPS for this host from now on, on
// every answer given over TLS. No includeSubDomains: other hosts of the
// city's domain are not ours to promise for.
func withHSTS(next http.Handler, t config.HTTPTLS) http.Handler {
	maxAge := int64(t.HSTSMaxAge.D().Seconds())
	if !t.Enabled() || maxAge <= 0 {
		return next
	}
	value := "max-age=" + strconv.FormatInt(maxAge, 10)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS != nil {
			w.Header().Set("Strict-Transport-Security", value)
		}
		next.ServeHTTP(w, r)
	})
}

// pagesURL is the address printed at start, with the scheme the pages use.
func (a *App) pagesURL() string {
	u := pageURL(a.HTTPAddr())
	if a.cfg.HTTP.TLS.Enabled() {
		return "https" + strings.TrimPrefix(u, "http")
	}
	return u
}
