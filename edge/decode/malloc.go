package decode

// #include <malloc.h>
import "C"

// ReturnFreedPictures makes the C allocator give large blocks (decoded
// pictures, half a MiB and up) back to the system when they are freed.
// By default glibc raises its mmap threshold to the size of the largest
// block freed, after which pictures come from its heaps and stay in the
// process after a Trim, spread over one heap per thread that ever
// decoded. Call it once at start, before decoding; it affects every C
// allocation in the process.
func ReturnFreedPictures() {
	// Setting the threshold also turns glibc's dynamic adjustment off.
	C.mallopt(C.M_MMAP_THRESHOLD, 512<<10)
}
