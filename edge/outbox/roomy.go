package outbox

import "github.com/xiuhua/xiuhua/internal/diskfree"

// roomy reports whether the file system holding dir has at least a tenth of
// its size, or 64 MiB, free: enough that one write that fit does not mean
// the next one will. Where free space is unknown, a write that fit means
// room.
func roomy(dir string) bool {
	sp, err := diskfree.Of(dir)
	if err != nil {
		return true
	}
	return sp.Free >= min(64<<20, sp.Total/10)
}
