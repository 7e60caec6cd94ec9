package ingest

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/xiuhua/xiuhua/internal/logtest"
	"github.com/xiuhua/xiuhua/internal/rpcerr"
)

// TestStorageErrorsHidePaths: when the evidence folder cannot be written,
// the device hears a reason code and a short message, and the path is only
// in the server's log.
func TestStorageErrorsHidePaths(t *testing.T) {
	logs := &logtest.Buffer{}
	e := newEnv(t, func(o *Options) { o.Log = slog.New(slog.NewTextHandler(logs, nil)) })
	dir := filepath.Dir(e.modelsDir)
	tmp := filepath.Join(dir, "evidence", "tmp")
	require.NoError(t, os.RemoveAll(tmp))
	require.NoError(t, os.WriteFile(tmp, []byte("not a folder"), 0o600)) // every new blob fails

	snap := snapshot(5000)
	_, err := e.send(t, fullStream(newReport("ev-disk", snap), snap))
	require.Equal(t, codes.Unavailable, status.Code(err), "%v", err)
	require.Equal(t, rpcerr.ReasonServerStorage, rpcerr.Reason(err))
	msg := status.Convert(err).Message()
	require.Contains(t, msg, `evidence "snapshot.jpg": the server could not store or read it now`)
	require.NotContains(t, msg, dir)
	require.NotContains(t, msg, "/")
	require.Eventually(t, func() bool { return strings.Contains(logs.String(), tmp) }, 5*time.Second, 10*time.Millisecond,
		"the path is logged for the operator")
}
