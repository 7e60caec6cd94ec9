package decode

// #cgo pkg-config: libavcodec libavutil libswscale
// #include <libavcodec/avcodec.h>
// #include <libswscale/swscale.h>
import "C"

import (
	"fmt"
	"unsafe"

	"gocv.io/x/gocv"
)

// toBGR converts the last decoded picture into a new BGR 8UC3 Mat of
// width x height; 0, 0 keeps the source size. The caller owns the Mat.
func (c *codec) toBGR(width, height int) (gocv.Mat, error) {
	sw, sh := c.size()
	if sw == 0 {
		return gocv.Mat{}, ErrNoPicture
	}
	if width == 0 && height == 0 {
		width, height = sw, sh
	}
	if err := checkSize(width, height); err != nil {
		return gocv.Mat{}, fmt.Errorf("convert to BGR: target %w", err)
	}

	// Bilinear is the usual speed/quality balance; area averaging avoids
	// aliasing when shrinking a lot (e.g. 4K to a 640 px detector input).
	flags := C.int(C.SWS_BILINEAR)
	if width*2 <= sw && height*2 <= sh {
		flags = C.SWS_AREA
	}
	// The cached context is rebuilt only when a size or pixel format changes.
	c.sws = C.sws_getCachedContext(c.sws,
		c.frame.width, c.frame.height, int32(c.frame.format),
		C.int(width), C.int(height), C.AV_PIX_FMT_BGR24,
		flags, nil, nil, nil)
	if c.sws == nil {
		return gocv.Mat{}, fmt.Errorf("convert to BGR: no swscale context for pixel format %d %dx%d", int(c.frame.format), sw, sh)
	}

	// swscale writes straight into the Mat's (C-allocated) memory: no
	// intermediate buffer, no copy.
	mat := gocv.NewMatWithSize(height, width, gocv.MatTypeCV8UC3)
	pix, err := mat.DataPtrUint8()
	if err != nil || len(pix) < height*mat.Step() {
		mat.Close()
		return gocv.Mat{}, fmt.Errorf("convert to BGR: Mat memory not usable: %v", err)
	}
	var dst [4]*C.uint8_t
	var dstStride [4]C.int
	dst[0] = (*C.uint8_t)(unsafe.Pointer(&pix[0]))
	dstStride[0] = C.int(mat.Step())
	res := C.sws_scale(c.sws,
		(**C.uint8_t)(unsafe.Pointer(&c.frame.data[0])), &c.frame.linesize[0],
		0, c.frame.height, &dst[0], &dstStride[0])
	if res <= 0 {
		mat.Close()
		return gocv.Mat{}, fmt.Errorf("convert to BGR: sws_scale wrote %d rows", int(res))
	}
	return mat, nil
}
