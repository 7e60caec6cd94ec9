package e2e

import (
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// tcpProxy forwards loopback connections to upstream. It can cut every
// connection and refuse new ones until restored (a network cut), and can
// slow the client-to-upstream direction down to rate bytes a second so that
// an upload lasts long enough to be interrupted in the middle.
type tcpProxy struct {
	ln       net.Listener
	upstream string
	rate     int // bytes/s client to upstream; 0: as fast as it goes

	mu    sync.Mutex
	conns map[net.Conn]bool
	cut   bool

	sent     atomic.Int64 // bytes client to upstream
	lastSent atomic.Int64 // unix nanoseconds of the last such bytes
}

func startTCPProxy(t *testing.T, upstream string, rate int) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &tcpProxy{ln: ln, upstream: upstream, rate: rate, conns: map[net.Conn]bool{}}
	go p.serve()
	t.Cleanup(func() { ln.Close(); p.setCut(true) })
	return p
}

func (p *tcpProxy) addr() string { return p.ln.Addr().String() }

func (p *tcpProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.handle(c)
	}
}

func (p *tcpProxy) handle(c net.Conn) {
	up, err := net.Dial("tcp", p.upstream)
	if err != nil || !p.track(c, up) {
		c.Close()
		if up != nil {
			up.Close()
		}
		return
	}
	done := make(chan struct{}, 2)
	go func() { p.pump(up, c, true); done <- struct{}{} }()
	go func() { p.pump(c, up, false); done <- struct{}{} }()
	<-done
	c.Close()
	up.Close()
	<-done
	p.mu.Lock()
	delete(p.conns, c)
	delete(p.conns, up)
	p.mu.Unlock()
}

// track registers a connection pair, or refuses it while cut.
func (p *tcpProxy) track(c, up net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cut {
		return false
	}
	p.conns[c], p.conns[up] = true, true
	return true
}

// pump copies src to dst; upload marks the client-to-upstream direction.
func (p *tcpProxy) pump(dst, src net.Conn, upload bool) {
	buf := make([]byte, 16<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
			if upload {
				p.sent.Add(int64(n))
				p.lastSent.Store(time.Now().UnixNano())
				if p.rate > 0 {
					time.Sleep(time.Duration(n) * time.Second / time.Duration(p.rate))
				}
			}
		}
		if err != nil {
			return // EOF or a cut: handle closes both sides
		}
	}
}

// setCut cuts (closing every connection) or restores the link.
func (p *tcpProxy) setCut(cut bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = cut
	if cut {
		for c := range p.conns {
			c.Close()
		}
	}
}

// waitUpload waits until at least min more bytes went upstream since it was
// called and bytes are still flowing: an upload is under way. It gives up
// (false) after bound, when nothing is being uploaded any more.
func (p *tcpProxy) waitUpload(min int64, bound time.Duration) bool {
	from := p.sent.Load()
	deadline := time.Now().Add(bound)
	for time.Now().Before(deadline) {
		if p.sent.Load()-from >= min && time.Since(time.Unix(0, p.lastSent.Load())) < 50*time.Millisecond {
			return true
		}
		time.Sleep(5 * time.Millisecond)
	}
	return false
}
