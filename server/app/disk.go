package app

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/xiuhua/xiuhua/internal/diskfree"
	"github.com/xiuhua/xiuhua/server/config"
)

// diskCheck is the health check of the evidence disk — the folder every
// blob passes through on this machine (localBlobDir: the evidence folder,
// or S3's spool): it fails when the folder has less room than one evidence
// file of the largest size a device may send (limits.max_evidence_bytes),
// since such an upload would then be refused. A platform without a
// free-space call passes.
func diskCheck(cfg config.Config) func() error {
	dir := localBlobDir(cfg)
	need := uint64(max(0, cfg.Limits.MaxEvidenceBytes))
	return func() error {
		sp, err := diskfree.Of(dir)
		if errors.Is(err, diskfree.ErrUnsupported) {
			return nil
		}
		if err != nil {
			// /healthz is public: the reason, not the server's paths.
			var errno syscall.Errno
			errors.As(err, &errno)
			return fmt.Errorf("evidence disk: free space unknown: %v", errno)
		}
		if sp.Free < need {
			return fmt.Errorf("disk full: %d bytes free for evidence, less than limits.max_evidence_bytes (%d): uploads are refused", sp.Free, need)
		}
		return nil
	}
}
