package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/app"
	"github.com/xiuhua/xiuhua/server/store/sqlite"
)

// TestDeviceKeyCommands: device add -public-key pins a key as openssl
// writes it; device rekey replaces it or unpins it.
func TestDeviceKeyCommands(t *testing.T) {
	dir := t.TempDir()
	cfgFile := writeFile(t, "data_dir: "+dir+"\n")
	run := func(args ...string) (int, string) {
		var out, errb bytes.Buffer
		full := append([]string{args[0], args[1], "-config", cfgFile}, args[2:]...)
		return runCommand(full, env(nil), strings.NewReader(""), &out, &errb), errb.String()
	}
	pub, _, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	der, err := x509.MarshalPKIXPublicKey(pub)
	require.NoError(t, err)
	pemFile := filepath.Join(t.TempDir(), "edge-01.pub")
	require.NoError(t, os.WriteFile(pemFile, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o600))
	pub2, _, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	b64File := filepath.Join(t.TempDir(), "edge-01.b64")
	require.NoError(t, os.WriteFile(b64File, []byte(base64.StdEncoding.EncodeToString(pub2)+"\n"), 0o600))
	badFile := filepath.Join(t.TempDir(), "bad.pub")
	require.NoError(t, os.WriteFile(badFile, []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), 0o600))

	pinned := func() []byte {
		st, err := sqlite.Open(context.Background(), filepath.Join(dir, app.DBFile))
		require.NoError(t, err)
		defer st.Close()
		c, err := st.GetDeviceCredential(context.Background(), "edge-01")
		require.NoError(t, err)
		return c.PublicKey
	}

	code, stderr := run("device", "add", "-public-key", pemFile, "edge-01")
	require.Equal(t, 0, code, stderr)
	require.Equal(t, []byte(pub), pinned())
	code, stderr = run("device", "rekey", "-public-key", b64File, "edge-01")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stderr, "pinned")
	require.Equal(t, []byte(pub2), pinned())
	code, stderr = run("device", "rekey", "edge-01")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stderr, "key unpinned")
	require.Nil(t, pinned())

	code, stderr = run("device", "rekey", "-public-key", badFile, "edge-01")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, `PEM block "PRIVATE KEY", want PUBLIC KEY`)
	code, stderr = run("device", "rekey", "edge-99")
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "not found")
}
