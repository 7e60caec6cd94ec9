package identity

import (
	"crypto/ed25519"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/xiuhua/xiuhua/internal/reportsig"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

func testReport() *xiuhuav1.ViolationReport {
	return &xiuhuav1.ViolationReport{
		EventId:       "ev-1",
		DeviceId:      "box-1",
		CameraId:      "cam-1",
		ViolationType: "street_vending",
		ObservedAt:    timestamppb.New(timestamppb.Now().AsTime()),
		DwellSeconds:  420,
		Detections: []*xiuhuav1.Detection{
			{ClassName: "umbrella", Score: 0.8, Box: &xiuhuav1.Box{X: 1, Y: 2, Width: 3, Height: 4}},
		},
		Evidence: []*xiuhuav1.EvidenceFile{{Name: "snapshot.jpg", Size: 10, Sha256: "ab"}},
	}
}

func TestLoadOrCreateCreatesPrivateFileAndReloadsSameKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state", "keys")
	path := filepath.Join(dir, "identity.pem")

	a, err := LoadOrCreate(path)
	require.NoError(t, err)

	fi, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	di, err := os.Stat(dir)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o700), di.Mode().Perm())

	b, err := LoadOrCreate(path)
	require.NoError(t, err)
	require.Equal(t, a.PublicKey(), b.PublicKey())

	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "temporary files left behind")
}

func TestLoadOrCreateConcurrentCallersAgree(t *testing.T) {
	path := filepath.Join(t.TempDir(), "identity.pem")
	keys := make([]ed25519.PublicKey, 8)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() {
			id, err := LoadOrCreate(path)
			if err == nil {
				keys[i] = id.PublicKey()
			}
		})
	}
	wg.Wait()
	for _, k := range keys {
		require.Equal(t, keys[0], k)
	}
}

func TestLoadRefusesBadFiles(t *testing.T) {
	tests := []struct {
		name    string
		content string
		mode    os.FileMode
		wantErr string
	}{
		{"not pem", "hello", 0o600, "not a PEM"},
		{"wrong block", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", 0o600, "not a PEM"},
		{"readable by others", "x", 0o644, "chmod 600"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "identity.pem")
			require.NoError(t, os.WriteFile(path, []byte(tt.content), tt.mode))
			require.NoError(t, os.Chmod(path, tt.mode))
			_, err := LoadOrCreate(path)
			require.ErrorContains(t, err, tt.wantErr)
			got, err := os.ReadFile(path)
			require.NoError(t, err)
			require.Equal(t, tt.content, string(got), "a bad key file must never be replaced")
		})
	}
}

func TestSignVerify(t *testing.T) {
	id, err := LoadOrCreate(filepath.Join(t.TempDir(), "k.pem"))
	require.NoError(t, err)
	other, err := LoadOrCreate(filepath.Join(t.TempDir(), "k.pem"))
	require.NoError(t, err)

	r := testReport()
	require.NoError(t, id.Sign(r))
	require.Len(t, r.Signature, ed25519.SignatureSize)
	require.True(t, verifies(id.PublicKey(), r))

	// Survives the wire: what the server decodes still verifies.
	wire, err := proto.Marshal(r)
	require.NoError(t, err)
	var got xiuhuav1.ViolationReport
	require.NoError(t, proto.Unmarshal(wire, &got))
	require.True(t, verifies(id.PublicKey(), &got))

	// Signing again gives the same result: the signature field is excluded.
	sig := r.Signature
	require.NoError(t, id.Sign(r))
	require.Equal(t, sig, r.Signature)

	tests := []struct {
		name   string
		pub    ed25519.PublicKey
		modify func(*xiuhuav1.ViolationReport)
	}{
		{"other key", other.PublicKey(), func(*xiuhuav1.ViolationReport) {}},
		{"short key", id.PublicKey()[:10], func(*xiuhuav1.ViolationReport) {}},
		{"changed hash", id.PublicKey(), func(r *xiuhuav1.ViolationReport) { r.Evidence[0].Sha256 = "cd" }},
		{"changed dwell", id.PublicKey(), func(r *xiuhuav1.ViolationReport) { r.DwellSeconds++ }},
		{"no signature", id.PublicKey(), func(r *xiuhuav1.ViolationReport) { r.Signature = nil }},
		{"bad signature", id.PublicKey(), func(r *xiuhuav1.ViolationReport) { r.Signature[0] ^= 1 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := proto.Clone(r).(*xiuhuav1.ViolationReport)
			tt.modify(c)
			require.False(t, verifies(tt.pub, c))
		})
	}
}

// verifies reports whether r carries pub's valid signature.
func verifies(pub ed25519.PublicKey, r *xiuhuav1.ViolationReport) bool {
	_, err := reportsig.Verify(pub, r)
	return err == nil
}
