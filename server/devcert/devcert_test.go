package devcert

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"

	"github.com/xiuhua/xiuhua/internal/testpki"
	"github.com/xiuhua/xiuhua/internal/tlsfiles"
)

// TestCheck covers what the handshake cannot: which device a verified
// certificate is for. server/app's TestMutualTLS runs it over the wire.
func TestCheck(t *testing.T) {
	dir := t.TempDir()
	ca := testpki.NewCA(t, dir, "ca")
	leaf := func(p testpki.Pair) *x509.Certificate {
		c, err := tlsfiles.Leaf(p.CertFile)
		require.NoError(t, err)
		return c
	}
	own := leaf(ca.Client(t, "own", "edge-1"))
	san := leaf(ca.Client(t, "san", "box", "edge-1"))
	other := leaf(ca.Client(t, "other", "edge-10"))
	ctx := func(token string, cert *x509.Certificate) context.Context {
		c := context.Background()
		if token != "" {
			c = metadata.NewIncomingContext(c, metadata.Pairs("authorization", "Bearer "+token))
		}
		info := credentials.TLSInfo{State: tls.ConnectionState{}}
		if cert != nil {
			info.State.VerifiedChains = [][]*x509.Certificate{{cert}}
		}
		return peer.NewContext(c, &peer.Peer{Addr: &net.TCPAddr{}, AuthInfo: info})
	}
	const tok = "xhd_edge-1.secret"
	cases := []struct {
		name string
		ctx  context.Context
		want string // "" when allowed
	}{
		{"common name", ctx(tok, own), ""},
		{"DNS name", ctx(tok, san), ""},
		{"another device", ctx(tok, other), `names "edge-10", not device "edge-1"`},
		{"no certificate", ctx(tok, nil), `device "edge-1" sent no verified client certificate`},
		{"no token", ctx("", own), "no device token"},
		{"no peer", metadata.NewIncomingContext(context.Background(), metadata.Pairs("authorization", "Bearer "+tok)), "no peer"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := Check(tc.ctx)
			if tc.want == "" {
				require.NoError(t, err)
				return
			}
			require.Equal(t, codes.Unauthenticated, status.Code(err))
			require.ErrorContains(t, err, tc.want)
		})
	}
}
