package e2e

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/internal/browsertest"
	"github.com/xiuhua/xiuhua/internal/testdata"
)

// TestBrowserPipeline is the officers' side of the whole pipeline, in
// headless Chromium (hack/browser/e2e.mjs): camsim → edge → server make a
// real case; a reviewer sees it in the queue and confirms it, a dispatcher
// dispatches it, a handler accepts it and reports back with a photo; then
// the AI re-check (server/recheck asks the edge to look again) verifies it
// or sends it back to handling, and the reviewer's open case page shows
// that without a reload. Screenshots of the queue, the case page, the map
// and the statistics go to hack/browser/artefacts/e2e.
func TestBrowserPipeline(t *testing.T) {
	browsertest.Check(t)
	dir := t.TempDir()
	rtspAddr, httpAddr, grpcAddr, edgeHTTP := freeAddr(t), freeAddr(t), freeAddr(t), freeAddr(t)
	camsim := start(t, dir, "camsim", "-listen", rtspAddr, "-stream", "cam1="+testdata.Path(t, "media", "vtest.avi"))

	server, base, tokenFiles := startServer(t, dir, httpAddr, grpcAddr, "auth: {devices: token, bootstrap_admin: chief}\n",
		[]string{"XIUHUA_ADMIN_PASSWORD=e2e-admin-password"}, map[string][]string{"edge-e2e": {"cam1"}})
	// The officers, added beside the running server as an admin would.
	const password = "e2e-officer-password"
	for name, role := range map[string]string{"li": "reviewer", "wang": "dispatcher", "zhao": "handler"} {
		command(t, dir, []string{"XIUHUA_USER_PASSWORD=" + password}, "user", "add", "-config", filepath.Join(dir, "server.yaml"), "-role", role, name)
	}

	edgeCfg := lingerEdge{ID: "edge-e2e", Dir: dir, GRPC: grpcAddr, HTTP: edgeHTTP, RTSP: rtspAddr,
		TokenFile: tokenFiles["edge-e2e"]}.write(t)
	edge := start(t, dir, "edge", "-config", edgeCfg)

	cases := waitForCases(t, base, edge)
	id := cases[len(cases)-1].ID // the oldest: its evidence is complete

	browsertest.Run(t, "e2e", 8*time.Minute, map[string]string{
		"XIUHUA_BASE_URL": base,
		"XIUHUA_PASSWORD": password,
		"XIUHUA_CASE":     id,
		"XIUHUA_PHOTO":    testdata.Path(t, "images", "000000001503.jpg"),
	})

	var detail apiCaseDetail
	getJSON(t, base+"/api/v1/cases/"+id, &detail)
	require.Contains(t, []string{"verified", "handling"}, detail.Case.Status, "the AI re-check decided")

	for _, p := range []*proc{edge, server, camsim} {
		require.NoError(t, p.stop(t), "%s did not exit cleanly:\n%s", p.name, p.output())
	}
}
