// Package grpctest serves gRPC services on loopback for tests.
package grpctest

import (
	"net"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// Serve starts a gRPC server on a free loopback port with the services
// register adds, and returns a client connection to it. At cleanup the
// connection closes, then shutdown runs (a service's own stop, so that its
// streams end before the server stops; may be nil), then the server stops
// and Serve has returned.
func Serve(t testing.TB, register func(*grpc.Server), shutdown func()) *grpc.ClientConn {
	t.Helper()
	srv := grpc.NewServer()
	register(srv)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen for the test gRPC server: %v", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(lis)
	}()
	cc, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatalf("dial the test gRPC server: %v", err)
	}
	t.Cleanup(func() {
		cc.Close()
		if shutdown != nil {
			shutdown()
		}
		srv.Stop()
		<-done
	})
	return cc
}
