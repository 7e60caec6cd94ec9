package outbox

import "time"

// DiskFull reports whether a write into the outbox found the disk (or its
// quota) full, with the error and when; it is cleared by a later write that
// fits at once and leaves a tenth of the disk (or 64 MiB) free. While it is set the outbox sheds old evidence to store
// new violations, so /healthz and heartbeats say so.
func (o *Outbox) DiskFull() (full bool, detail string, since time.Time) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.diskErr != "", o.diskErr, o.diskSince
}

// setDiskFull records the outcome of a write: err is a full disk, nil room.
func (o *Outbox) setDiskFull(err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if err == nil {
		if o.diskErr != "" {
			o.logger.Info("outbox has room on disk again", "full_since", o.diskSince)
		}
		o.diskErr, o.diskSince = "", time.Time{}
		return
	}
	if o.diskErr == "" {
		o.diskSince = time.Now()
		o.logger.Error("outbox disk is full: shedding old evidence to keep new violations", "err", err)
	}
	o.diskErr = err.Error()
}
