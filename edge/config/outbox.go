package config

import (
	"time"

	"github.com/xiuhua/xiuhua/edge/outbox"
	"github.com/xiuhua/xiuhua/internal/conf"
)

// Outbox bounds the queue of violations waiting for the server (see
// docs/faults.md). Over the quota, or on a full disk, the outbox sheds the
// oldest items' clips, then their pictures, then the oldest reports.
type Outbox struct {
	// MaxMB caps the queue's size on disk in MiB; 0 means only the disk
	// caps it. data_dir also holds the signing key and model downloads,
	// which a long outage must not crowd out.
	MaxMB int64 `yaml:"max_mb"`
	// MaxClipAge is how long a waiting violation keeps its clip; 0 means
	// for ever.
	MaxClipAge conf.Duration `yaml:"max_clip_age"`
}

// Quota is the outbox.Quota these settings mean.
func (o Outbox) Quota() outbox.Quota {
	return outbox.Quota{MaxBytes: o.MaxMB << 20, MaxClipAge: o.MaxClipAge.D()}
}

func (o Outbox) validate(errs *conf.Errors) {
	if o.MaxMB < 0 || o.MaxMB > 1<<30 {
		errs.Add("outbox.max_mb", o.MaxMB, "0 (no cap but the disk) to 1073741824 MiB")
	}
	if o.MaxClipAge.D() < 0 {
		errs.Add("outbox.max_clip_age", o.MaxClipAge.String(), "a duration of 0 (for ever) or more")
	}
}

func defaultOutbox() Outbox {
	return Outbox{MaxMB: 4096, MaxClipAge: conf.Duration(0 * time.Second)}
}
