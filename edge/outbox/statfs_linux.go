package outbox

import "syscall"

// roomy reports whether the file system holding dir has at least a tenth of
// its size, or 64 MiB, free: enough that one write that fit does not mean
// the next one will.
func roomy(dir string) bool {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return true
	}
	free := st.Bavail * uint64(st.Bsize)
	total := st.Blocks * uint64(st.Bsize)
	return free >= min(64<<20, total/10)
}
