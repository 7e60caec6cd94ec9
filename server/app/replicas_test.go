package app

import (
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"image/color"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/config"
	"github.com/xiuhua/xiuhua/server/store/postgres/pgtest"
	"github.com/xiuhua/xiuhua/server/web"

	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// TestReplicasOnPostgres runs several whole servers in-process on one
// PostgreSQL database, each with its own pool, gRPC port and evidence
// folder, as replicas behind a balancer would be. Every report goes to
// every replica at once; afterwards each event is one case with one report,
// whichever replica is asked.
func TestReplicasOnPostgres(t *testing.T) {
	dsn := pgtest.Schema(t)
	const replicas, events = 3, 12
	var servers []*running
	for range replicas {
		cfg := testConfig(t.TempDir())
		cfg.Store = config.Store{Driver: config.DriverPostgres, DSN: dsn}
		// Every event here shows the same box: without merging each is a
		// case of its own, which is what this test counts.
		cfg.Cases.Merge.Types = nil
		// All events come from one device at once, on purpose: the
		// per-device stream limit is not what this test is about.
		cfg.Limits.GRPC.MaxReportStreamsPerDevice = events
		servers = append(servers, start(t, cfg))
	}
	_, key, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	snap := evFile{name: "snapshot.jpg", kind: xiuhuav1.EvidenceKind_EVIDENCE_KIND_SNAPSHOT,
		data: jpegBytes(t, 320, 180, color.RGBA{R: 10, G: 20, B: 30})}

	type answer struct {
		caseID string
		dup    bool
		err    error
	}
	answers := make([][]answer, events)
	var wg sync.WaitGroup
	for e := range events {
		answers[e] = make([]answer, replicas)
		for i, srv := range servers {
			client := dial(t, srv.app.GRPCAddr(), nil)
			wg.Go(func() {
				resp, err := sendReport(t, client, key, fmt.Sprintf("replica-ev-%d", e), snap)
				answers[e][i] = answer{resp.GetCaseId(), resp.GetDuplicate(), err}
			})
		}
	}
	wg.Wait()
	want := map[string]bool{}
	for e, as := range answers {
		fresh := 0
		for i, a := range as {
			require.NoError(t, a.err, "event %d replica %d", e, i)
			require.Equal(t, as[0].caseID, a.caseID, "event %d: replicas disagree", e)
			if !a.dup {
				fresh++
			}
		}
		require.Equal(t, 1, fresh, "event %d stored once", e)
		want[as[0].caseID] = true
	}
	require.Len(t, want, events)

	for _, srv := range servers {
		_, body := httpGet(t, "http://"+srv.app.HTTPAddr()+"/api/v1/cases?limit=500")
		var list web.CaseListJSON
		require.NoError(t, json.Unmarshal(body, &list))
		got := map[string]bool{}
		for _, c := range list.Cases {
			require.Equal(t, 1, c.ReportCount, "case %s", c.ID)
			got[c.ID] = true
		}
		require.Equal(t, want, got)
	}
}
