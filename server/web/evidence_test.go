package web

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/blob"
	"github.com/xiuhua/xiuhua/server/store"
)

// A blob changed on disk is reported, never served; a file removed by
// retention answers 410 while its case stays.
func TestEvidenceCorruptAndPurged(t *testing.T) {
	var checked *blob.Checked
	var corrupt []string
	e := newEnvWith(t, func(o *Options) {
		checked = blob.NewChecked(o.Blobs)
		checked.OnCorrupt = func(sha string) { corrupt = append(corrupt, sha) }
		o.Blobs = checked
	}, nil)
	jpeg := bytes.Repeat([]byte{0xff, 0xd8, 0xff, 1}, 1000)
	snap := e.put(t, "snapshot.jpg", store.KindSnapshot, "image/jpeg", jpeg)
	clip := e.put(t, "clip.mp4", store.KindClip, "video/mp4", []byte("a clip of the stall"))
	id := e.addCase(t, "ev-corrupt", nil, snap, clip)

	p := filepath.Join(e.blobs.Dir(), snap.SHA256[:2], snap.SHA256)
	require.NoError(t, os.Chmod(p, 0o640))
	require.NoError(t, os.WriteFile(p, bytes.Repeat([]byte{0xff, 0xd8, 0xff, 2}, 1000), 0o440))
	resp, body := e.get(t, "/evidence/"+snap.SHA256)
	require.Equal(t, http.StatusInternalServerError, resp.StatusCode)
	require.NotContains(t, string(body), "\xff\xd8\xff\x02", "corrupt bytes served")
	require.Contains(t, string(body), "integrity check")
	require.Equal(t, []string{snap.SHA256}, corrupt)

	ctx := context.Background()
	require.NoError(t, e.store.Transition(ctx, store.Transition{CaseID: id, Version: 1, From: "pending_review", To: "rejected",
		Actor: "li", Role: "reviewer", Action: "reject", At: time.Now().Add(-48 * time.Hour)}))
	shas, err := e.store.PurgeEvidence(ctx, store.KindClip, "rejected", time.Now().Add(-time.Hour), 10)
	require.NoError(t, err)
	require.Equal(t, []string{clip.SHA256}, shas)
	require.NoError(t, e.blobs.Delete(ctx, clip.SHA256))
	resp, body = e.get(t, "/evidence/"+clip.SHA256)
	require.Equal(t, http.StatusGone, resp.StatusCode)
	require.True(t, strings.Contains(string(body), "retention"), string(body))
	resp, _ = e.get(t, "/api/v1/cases/"+id)
	require.Equal(t, http.StatusOK, resp.StatusCode, "the case stays")
}

// With presigned URLs on, the page's policy allows the store's origin.
func TestEvidenceOriginInPolicy(t *testing.T) {
	csp := allowEvidenceOrigin(contentSecurityPolicy(nil), "https://s3.example.cn:9000")
	require.Contains(t, csp, "img-src 'self' https://s3.example.cn:9000;")
	require.Contains(t, csp, "media-src 'self' https://s3.example.cn:9000;")
	require.Equal(t, contentSecurityPolicy(nil), allowEvidenceOrigin(contentSecurityPolicy(nil), ""))
}
