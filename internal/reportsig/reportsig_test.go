package reportsig

import (
	"crypto/ed25519"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

func TestSignVerify(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	otherPub, _, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	signed := func() *xiuhuav1.ViolationReport {
		r := &xiuhuav1.ViolationReport{EventId: "e1", DeviceId: "d", CameraId: "c", DwellSeconds: 30,
			Evidence:    []*xiuhuav1.EvidenceFile{{Name: "snapshot.jpg", Size: 10, Sha256: "ab"}},
			WarnOutcome: xiuhuav1.WarnOutcome_WARN_OUTCOME_CORRECTED,
			Warnings:    []*xiuhuav1.WarningPlayed{{Player: "backchannel", Ok: true}}}
		require.NoError(t, Sign(priv, r))
		return r
	}
	cases := []struct {
		name    string
		key     ed25519.PublicKey
		tamper  func(r *xiuhuav1.ViolationReport)
		wantErr string
	}{
		{"intact", pub, func(*xiuhuav1.ViolationReport) {}, ""},
		{"after a wire round trip", pub, func(r *xiuhuav1.ViolationReport) {
			b, _ := proto.Marshal(r)
			require.NoError(t, proto.Unmarshal(b, r))
		}, ""},
		{"camera changed", pub, func(r *xiuhuav1.ViolationReport) { r.CameraId = "c2" }, "does not verify"},
		{"evidence hash changed", pub, func(r *xiuhuav1.ViolationReport) { r.Evidence[0].Sha256 = "cd" }, "does not verify"},
		// A "corrected after warning" record is a report with warn_outcome
		// set: turning a case into a record (or back) must break it.
		{"warn outcome changed", pub, func(r *xiuhuav1.ViolationReport) {
			r.WarnOutcome = xiuhuav1.WarnOutcome_WARN_OUTCOME_NOT_CORRECTED
		}, "does not verify"},
		{"warning dropped", pub, func(r *xiuhuav1.ViolationReport) { r.Warnings = nil }, "does not verify"},
		{"other key", otherPub, func(*xiuhuav1.ViolationReport) {}, "does not verify"},
		{"unsigned", pub, func(r *xiuhuav1.ViolationReport) { r.Signature = nil }, "not signed"},
		{"short key", pub[:5], func(*xiuhuav1.ViolationReport) {}, "public key has 5 bytes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := signed()
			tc.tamper(r)
			_, err := Verify(tc.key, r)
			if tc.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tc.wantErr)
		})
	}
}
