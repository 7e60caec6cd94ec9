package tlsfiles

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/internal/conf"
	"github.com/xiuhua/xiuhua/internal/testpki"
)

func TestCheckPair(t *testing.T) {
	dir := t.TempDir()
	ca := testpki.NewCA(t, dir, "ca")
	a := ca.Server(t, "a", "127.0.0.1")
	b := ca.Client(t, "b", "edge-1")
	garbage := filepath.Join(dir, "garbage.pem")
	require.NoError(t, os.WriteFile(garbage, []byte("not a certificate"), 0o600))
	missing := filepath.Join(dir, "missing.pem")
	now := time.Now()

	cases := []struct {
		name      string
		cert, key string
		now       time.Time
		want      string // "" for no error
	}{
		{"neither", "", "", now, ""},
		{"good", a.CertFile, a.KeyFile, now, ""},
		{"cert only", a.CertFile, "", now, `x.key_file: invalid value "": allowed: a PEM private key file, set together with x.cert_file`},
		{"key only", "", a.KeyFile, now, `x.cert_file: invalid value "": allowed: a PEM certificate file, set together with x.key_file`},
		{"missing cert", missing, a.KeyFile, now, `x.cert_file: invalid value "` + missing + `": allowed: a readable PEM certificate file (no such file or directory)`},
		{"missing key", a.CertFile, missing, now, `x.key_file: invalid value "` + missing + `": allowed: a readable PEM private key file (no such file or directory)`},
		{"not PEM", garbage, a.KeyFile, now, `x.cert_file: invalid value "` + garbage + `": allowed: a PEM certificate file (no PEM CERTIFICATE block)`},
		{"key of another", a.CertFile, b.KeyFile, now, `x.key_file: invalid value "` + b.KeyFile + `": allowed: the private key of x.cert_file "` + a.CertFile + `" (this key belongs to another certificate)`},
		{"key not PEM", a.CertFile, garbage, now, `x.key_file: invalid value "` + garbage + `": allowed: a PEM private key file`},
		{"expired", a.CertFile, a.KeyFile, now.Add(48 * time.Hour), `x.cert_file: invalid value "` + a.CertFile + `": allowed: a certificate valid now (it is valid from`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var errs conf.Errors
			CheckPair(&errs, "x.", tc.cert, tc.key, tc.now)
			if tc.want == "" {
				require.NoError(t, errs.Err())
				return
			}
			require.Len(t, errs, 1, "%v", errs)
			require.Contains(t, errs.Error(), tc.want)
		})
	}
}

func TestCheckCA(t *testing.T) {
	dir := t.TempDir()
	ca := testpki.NewCA(t, dir, "ca")
	pair := ca.Client(t, "c", "edge-1")
	var errs conf.Errors
	CheckCA(&errs, "ca", "")
	CheckCA(&errs, "ca", ca.CAFile)
	require.NoError(t, errs.Err())
	CheckCA(&errs, "ca", pair.KeyFile)
	CheckCA(&errs, "ca", filepath.Join(dir, "nope.crt"))
	require.Len(t, errs, 2)
	require.Contains(t, errs[0].Error(), "allowed: a readable PEM file of CA certificates (no PEM CERTIFICATE block)")
	require.Contains(t, errs[1].Error(), "(no such file or directory)")
}

// FuzzFirstCert: whatever a CA file holds, reading it errs or succeeds
// without panicking.
func FuzzFirstCert(f *testing.F) {
	dir := f.TempDir()
	ca := testpki.NewCA(f, dir, "ca")
	b, err := os.ReadFile(ca.CAFile)
	require.NoError(f, err)
	f.Add(b)
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))
	f.Add([]byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := firstCert(data)
		if err == nil {
			require.NotNil(t, c)
		}
	})
}
