package ingest

import (
	"context"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/xiuhua/xiuhua/server/blob"
	"github.com/xiuhua/xiuhua/server/store"

	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

func TestReportStored(t *testing.T) {
	e := newEnv(t)
	snap, ann := snapshot(10_000), annotated(5_000)
	rep := newReport("ev-1", snap, ann)
	resp, err := e.send(t, fullStream(rep, snap, ann))
	require.NoError(t, err)
	require.Equal(t, "ev-1", resp.EventId)
	require.NotEmpty(t, resp.CaseId)
	require.False(t, resp.Duplicate)

	d, err := e.store.GetCase(context.Background(), resp.CaseId)
	require.NoError(t, err)
	require.Equal(t, "pending_review", d.Status)
	require.Equal(t, "cam-7", d.CameraID)
	require.Len(t, d.Reports, 1)
	r := d.Reports[0]
	require.Equal(t, "ev-1", r.EventID)
	require.False(t, r.SignatureVerified, "no key known for the device")
	require.NotEmpty(t, r.Signed)
	require.True(t, r.ObservedAt.Equal(observed))
	require.Equal(t, []store.Detection{{ClassName: "umbrella", Score: 0.9, X: 1, Y: 2, Width: 3, Height: 4, TrackID: 5}}, r.Detections)
	require.Equal(t, &store.GeoPoint{Lat: 31.23, Lon: 121.47}, r.Location)
	require.Equal(t, []store.Evidence{
		{Name: "snapshot.jpg", Kind: store.KindSnapshot, ContentType: "image/jpeg", Size: 10_000, SHA256: hexSum(snap.data)},
		{Name: "annotated.jpg", Kind: store.KindAnnotated, ContentType: "image/jpeg", Size: 5_000, SHA256: hexSum(ann.data)},
	}, r.Evidence)

	for _, f := range []file{snap, ann} {
		rd, err := e.blobs.Open(context.Background(), hexSum(f.data))
		require.NoError(t, err)
		got, err := io.ReadAll(rd)
		require.NoError(t, err)
		require.NoError(t, rd.Close())
		require.Equal(t, f.data, got)
	}
	require.Equal(t, 1.0, e.counter(t, "xiuhua_reports_received_total"))
	require.Equal(t, 1.0, e.counter(t, "xiuhua_reports_stored_total"))
	require.Equal(t, 15_000.0, e.counter(t, "xiuhua_evidence_bytes_total"))
}

func TestReportVariants(t *testing.T) {
	big := snapshot(100_000)
	ann := annotated(3_000)
	empty := file{name: "empty.bin", data: []byte{}}
	tests := []struct {
		name  string
		files []file
		msgs  func(r *xiuhuav1.ViolationReport) []*xiuhuav1.ReportViolationRequest
	}{
		{"no evidence", nil, func(r *xiuhuav1.ViolationReport) []*xiuhuav1.ReportViolationRequest {
			return fullStream(r)
		}},
		{"interleaved files", []file{big, ann}, func(r *xiuhuav1.ViolationReport) []*xiuhuav1.ReportViolationRequest {
			a, b := chunks(big, 30_000), chunks(ann, 1_000)
			msgs := []*xiuhuav1.ReportViolationRequest{reportMsg(r)}
			for i := 0; i < max(len(a), len(b)); i++ {
				if i < len(a) {
					msgs = append(msgs, a[i])
				}
				if i < len(b) {
					msgs = append(msgs, b[i])
				}
			}
			return msgs
		}},
		{"empty file without chunks", []file{empty, ann}, func(r *xiuhuav1.ViolationReport) []*xiuhuav1.ReportViolationRequest {
			return fullStream(r, ann)
		}},
		{"empty chunk", []file{ann}, func(r *xiuhuav1.ViolationReport) []*xiuhuav1.ReportViolationRequest {
			return append(fullStream(r, ann)[:1], append([]*xiuhuav1.ReportViolationRequest{chunkMsg(ann.name, 0, nil)}, chunks(ann, 1000)...)...)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			rep := newReport("ev-"+tc.name, tc.files...)
			resp, err := e.send(t, tc.msgs(rep))
			require.NoError(t, err)
			require.False(t, resp.Duplicate)
			d, err := e.store.GetCase(context.Background(), resp.CaseId)
			require.NoError(t, err)
			require.Len(t, d.Reports[0].Evidence, len(tc.files))
			for _, f := range tc.files {
				ok, err := blob.Has(context.Background(), e.blobs, hexSum(f.data))
				require.NoError(t, err)
				require.True(t, ok, f.name)
			}
		})
	}
}

func TestDuplicate(t *testing.T) {
	e := newEnv(t)
	snap := snapshot(20_000)
	rep := newReport("ev-dup", snap)
	first, err := e.send(t, fullStream(rep, snap))
	require.NoError(t, err)
	require.False(t, first.Duplicate)

	second, err := e.send(t, fullStream(rep, snap))
	require.NoError(t, err)
	require.True(t, second.Duplicate)
	require.Equal(t, first.CaseId, second.CaseId)
	require.Equal(t, "ev-dup", second.EventId)

	page, err := e.store.ListCases(context.Background(), store.CaseFilter{Limit: 10})
	require.NoError(t, err)
	require.Len(t, page.Cases, 1)
	require.Equal(t, 1, page.Cases[0].ReportCount)
	require.Equal(t, 1.0, e.counter(t, "xiuhua_reports_duplicate_total"))
	require.Equal(t, 1.0, e.counter(t, "xiuhua_reports_stored_total"))
	// The resend was drained, not stored again.
	require.Equal(t, 20_000.0, e.counter(t, "xiuhua_evidence_bytes_total"))

	// A resend that carries more than it declared is cut off.
	over := append(fullStream(rep, snap), chunkMsg(snap.name, int64(len(snap.data)), []byte("more")))
	_, err = e.send(t, over)
	require.Equal(t, codes.InvalidArgument, status.Code(err), "%v", err)
}

func TestRefusals(t *testing.T) {
	snap, ann := snapshot(10_000), annotated(9_000)
	rep := func(mod func(r *xiuhuav1.ViolationReport)) *xiuhuav1.ViolationReport {
		r := newReport("ev-bad", snap, ann)
		if mod != nil {
			mod(r)
		}
		return r
	}
	good := fullStream(rep(nil), snap, ann) // report, 3 snapshot chunks, 3 annotated chunks
	without := func(i int) []*xiuhuav1.ReportViolationRequest {
		return append(append([]*xiuhuav1.ReportViolationRequest{}, good[:i]...), good[i+1:]...)
	}
	tests := []struct {
		name   string
		msgs   []*xiuhuav1.ReportViolationRequest
		code   codes.Code
		reason string
		want   string // in the message
	}{
		{"empty stream", nil, codes.InvalidArgument, reasonUnexpectedMessage,
			"empty stream: the first message must be the report"},
		{"chunks before the report", append(chunks(snap, 4096), reportMsg(rep(nil))), codes.InvalidArgument, reasonUnexpectedMessage,
			`the first message must be the report, got a chunk of "snapshot.jpg"`},
		{"empty message first", []*xiuhuav1.ReportViolationRequest{{}}, codes.InvalidArgument, reasonUnexpectedMessage,
			"got an empty message"},
		{"no event id", fullStream(rep(func(r *xiuhuav1.ViolationReport) { r.EventId = "" })), codes.InvalidArgument, reasonInvalidReport,
			"event_id is required"},
		{"no device id", fullStream(rep(func(r *xiuhuav1.ViolationReport) { r.DeviceId = "" })), codes.InvalidArgument, reasonInvalidReport,
			"device_id is required"},
		{"no camera id", fullStream(rep(func(r *xiuhuav1.ViolationReport) { r.CameraId = "" })), codes.InvalidArgument, reasonInvalidReport,
			"camera_id is required"},
		{"no violation type", fullStream(rep(func(r *xiuhuav1.ViolationReport) { r.ViolationType = "" })), codes.InvalidArgument, reasonInvalidReport,
			"violation_type is required"},
		{"no observed_at", fullStream(rep(func(r *xiuhuav1.ViolationReport) { r.ObservedAt = nil })), codes.InvalidArgument, reasonInvalidReport,
			"observed_at is required"},
		{"several fields", fullStream(rep(func(r *xiuhuav1.ViolationReport) { r.CameraId, r.ObservedAt = "", nil })), codes.InvalidArgument, reasonInvalidReport,
			`invalid report "ev-bad": camera_id is required; observed_at is required`},
		{"control characters", fullStream(rep(func(r *xiuhuav1.ViolationReport) { r.CameraId = "cam\x00" })), codes.InvalidArgument, reasonInvalidReport,
			"camera_id \"cam\\x00\" contains control characters"},
		{"long id", fullStream(rep(func(r *xiuhuav1.ViolationReport) { r.RuleId = strings.Repeat("r", 200) })), codes.InvalidArgument, reasonInvalidReport,
			"rule_id is 200 bytes, at most 128 allowed"},
		{"NaN location", fullStream(rep(func(r *xiuhuav1.ViolationReport) { r.Location.Lat = math.NaN() })), codes.InvalidArgument, reasonInvalidReport,
			"location (NaN, 121.47): allowed lat -90 to 90"},
		{"infinite location", fullStream(rep(func(r *xiuhuav1.ViolationReport) { r.Location.Lon = math.Inf(1) })), codes.InvalidArgument, reasonInvalidReport,
			"location (31.23, +Inf)"},
		{"infinite object location", fullStream(rep(func(r *xiuhuav1.ViolationReport) {
			r.ObjectLocation = &xiuhuav1.GeoPoint{Lat: math.Inf(-1), Lon: 0}
		})), codes.InvalidArgument, reasonInvalidReport, "object_location (-Inf, 0)"},
		{"NaN dwell", fullStream(rep(func(r *xiuhuav1.ViolationReport) { r.DwellSeconds = math.NaN() })), codes.InvalidArgument, reasonInvalidReport,
			"dwell_seconds NaN"},
		{"infinite dwell", fullStream(rep(func(r *xiuhuav1.ViolationReport) { r.DwellSeconds = math.Inf(1) })), codes.InvalidArgument, reasonInvalidReport,
			"dwell_seconds +Inf"},
		{"NaN score", fullStream(rep(func(r *xiuhuav1.ViolationReport) { r.Detections[0].Score = float32(math.NaN()) })), codes.InvalidArgument, reasonInvalidReport,
			"detections[0].score NaN: allowed 0 to 1"},
		{"infinite best score", fullStream(rep(func(r *xiuhuav1.ViolationReport) { r.BestScore = float32(math.Inf(1)) })), codes.InvalidArgument, reasonInvalidReport,
			"best_score +Inf"},
		{"infinite box", fullStream(rep(func(r *xiuhuav1.ViolationReport) { r.Detections[0].Box.Width = float32(math.Inf(1)) })), codes.InvalidArgument, reasonInvalidReport,
			"detections[0].box: +Inf is not a finite number"},
		{"duplicate file names", fullStream(rep(func(r *xiuhuav1.ViolationReport) { r.Evidence[1].Name = "snapshot.jpg" })), codes.InvalidArgument, reasonInvalidEvidence,
			`evidence[1].name "snapshot.jpg" is declared twice`},
		{"file too big", fullStream(rep(func(r *xiuhuav1.ViolationReport) { r.Evidence[0].Size = 2 << 20 })), codes.InvalidArgument, reasonInvalidEvidence,
			`evidence "snapshot.jpg": size 2097152, allowed 0 to 1048576`},
		{"too many files", fullStream(rep(func(r *xiuhuav1.ViolationReport) {
			for i := range 4 {
				r.Evidence = append(r.Evidence, &xiuhuav1.EvidenceFile{Name: string(rune('a' + i)), Sha256: hexSum(nil)})
			}
		})), codes.InvalidArgument, reasonInvalidEvidence, "6 evidence files, at most 4 allowed"},
		{"bad sha256", fullStream(rep(func(r *xiuhuav1.ViolationReport) { r.Evidence[1].Sha256 = "../../etc/passwd" })), codes.InvalidArgument, reasonInvalidEvidence,
			`evidence "annotated.jpg": sha256 "../../etc/passwd" is not 64 hex digits`},
		{"bad content type", fullStream(rep(func(r *xiuhuav1.ViolationReport) { r.Evidence[0].ContentType = "image/" })), codes.InvalidArgument, reasonInvalidEvidence,
			`evidence "snapshot.jpg": content_type "image/"`},
		{"undeclared file", append(append([]*xiuhuav1.ReportViolationRequest{}, good...), chunkMsg("extra.jpg", 0, []byte("x"))), codes.InvalidArgument, reasonUndeclaredFile,
			`chunk for undeclared evidence file "extra.jpg"`},
		{"offset gap: a middle chunk missing", without(2), codes.InvalidArgument, reasonBadOffset,
			`evidence "snapshot.jpg": chunk at offset 8192, expected 4096`},
		{"overlap: a chunk sent twice", append(good[:3:3], good[2:]...), codes.InvalidArgument, reasonBadOffset,
			`evidence "snapshot.jpg": chunk at offset 4096, expected 8192`},
		{"overflow: more bytes than declared", append(good[:6:6], chunkMsg("annotated.jpg", 8192, make([]byte, 900))), codes.InvalidArgument, reasonOverflow,
			`evidence "annotated.jpg": chunk at offset 8192 with 900 bytes goes past the declared size 9000`},
		{"chunk after the file was complete", append(append([]*xiuhuav1.ReportViolationRequest{}, good...), chunkMsg("snapshot.jpg", 10_000, []byte("x"))), codes.InvalidArgument, reasonOverflow,
			`evidence "snapshot.jpg": chunk at offset 10000 after the file was complete`},
		{"second report", append(good[:2:2], reportMsg(rep(nil))), codes.InvalidArgument, reasonUnexpectedMessage,
			"after the report only evidence chunks may follow, got a second report"},
		{"missing last chunk", without(6), codes.DataLoss, reasonIncomplete,
			`evidence "annotated.jpg": stream ended after 8192 of 9000 bytes`},
		{"missing file", good[:4], codes.DataLoss, reasonIncomplete,
			`evidence "annotated.jpg": stream ended after 0 of 9000 bytes`},
		{"wrong sha256", fullStream(rep(func(r *xiuhuav1.ViolationReport) { r.Evidence[1].Sha256 = hexSum([]byte("other")) }), snap, ann), codes.DataLoss, reasonSHA256Mismatch,
			`evidence "annotated.jpg": received 9000 bytes with sha256 ` + hexSum(ann.data) + `, declared ` + hexSum([]byte("other"))},
		{"corrupted byte", func() []*xiuhuav1.ReportViolationRequest {
			bad := append([]byte{}, snap.data...)
			bad[5000] ^= 1
			return fullStream(rep(nil), file{name: snap.name, data: bad}, ann)
		}(), codes.DataLoss, reasonSHA256Mismatch, `evidence "snapshot.jpg": received 10000 bytes with sha256`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			_, err := e.send(t, tc.msgs)
			require.Error(t, err)
			st := status.Convert(err)
			require.Equal(t, tc.code, st.Code(), "message: %s", st.Message())
			require.Contains(t, st.Message(), tc.want)
			require.Equal(t, 1.0, e.counter(t, "xiuhua_reports_refused_total", "reason", tc.reason))
			e.requireNothingStored(t, "ev-bad")
		})
	}
}

// TestClientGoesAway: an edge that drops the stream midway leaves nothing
// behind, not even a temporary file.
func TestClientGoesAway(t *testing.T) {
	e := newEnv(t)
	snap := snapshot(50_000)
	ctx, cancel := context.WithCancel(context.Background())
	stream, err := e.client.ReportViolation(ctx)
	require.NoError(t, err)
	msgs := fullStream(newReport("ev-gone", snap), snap)
	for _, m := range msgs[:3] {
		require.NoError(t, stream.Send(m))
	}
	require.Eventually(t, func() bool { return e.counter(t, "xiuhua_evidence_bytes_total") == 8192 }, 5*time.Second, 5*time.Millisecond)
	cancel()
	require.Eventually(t, func() bool {
		return e.counter(t, "xiuhua_reports_refused_total", "reason", reasonAborted) == 1
	}, 5*time.Second, 5*time.Millisecond)
	e.requireNothingStored(t, "ev-gone")
}
