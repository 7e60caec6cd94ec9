package e2e

import (
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// startBalancer is a TCP round-robin balancer in front of backends, as a
// load balancer in front of server replicas would be: each new connection
// goes to the next backend that accepts it, so a dead replica is skipped.
func startBalancer(t *testing.T, backends []string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		_ = l.Close()
		mu.Lock()
		for _, c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	next := 0
	wg.Go(func() {
		for {
			in, err := l.Accept()
			if err != nil {
				return
			}
			var out net.Conn
			for range backends {
				addr := backends[next%len(backends)]
				next++
				if out, err = net.DialTimeout("tcp", addr, 5*time.Second); err == nil {
					break
				}
			}
			if out == nil {
				_ = in.Close()
				continue
			}
			mu.Lock()
			conns = append(conns, in, out)
			mu.Unlock()
			pipe := func(dst, src net.Conn) {
				_, _ = io.Copy(dst, src)
				_ = dst.Close()
				_ = src.Close()
			}
			wg.Go(func() { pipe(out, in) })
			wg.Go(func() { pipe(in, out) })
		}
	})
	return l.Addr().String()
}
