package decode

// #cgo pkg-config: libavutil libswscale
// #include <libavutil/frame.h>
// #include <libswscale/swscale.h>
// #include <stdlib.h>
import "C"

import (
	"fmt"
	"unsafe"

	"gocv.io/x/gocv"
)

// PictureFromBGR makes a YUV 4:2:0 Picture of a BGR 8UC3 Mat of even size,
// as a camera's decoder would hand it out: for tests of what consumes
// pictures, and for sources that have BGR only.
func PictureFromBGR(m gocv.Mat) (*Picture, error) {
	w, h := m.Cols(), m.Rows()
	if err := checkSize(w, h); err != nil || w%2 != 0 || h%2 != 0 || m.Type() != gocv.MatTypeCV8UC3 {
		return nil, fmt.Errorf("picture from BGR: want an even-sized 8UC3 Mat, got %dx%d type %v", w, h, m.Type())
	}
	if !m.IsContinuous() {
		m = m.Clone()
		defer m.Close()
	}
	pix, err := m.DataPtrUint8()
	if err != nil {
		return nil, fmt.Errorf("picture from BGR: %w", err)
	}
	f := C.av_frame_alloc()
	if f == nil {
		return nil, fmt.Errorf("picture from BGR: out of memory")
	}
	p := &Picture{frame: f}
	f.width, f.height, f.format = C.int(w), C.int(h), C.AV_PIX_FMT_YUV420P
	if C.av_frame_get_buffer(f, 0) < 0 {
		p.Close()
		return nil, fmt.Errorf("picture from BGR: no buffer for %dx%d", w, h)
	}
	sws := C.sws_getContext(C.int(w), C.int(h), C.AV_PIX_FMT_BGR24, C.int(w), C.int(h), C.AV_PIX_FMT_YUV420P,
		C.SWS_BILINEAR, nil, nil, nil)
	if sws == nil {
		p.Close()
		return nil, fmt.Errorf("picture from BGR: no swscale context")
	}
	defer C.sws_freeContext(sws)
	// swscale reads the Mat through a C copy: no Go pointer is kept by C.
	src := C.CBytes(pix)
	defer C.free(src)
	var srcPlanes [4]*C.uint8_t
	var srcStride [4]C.int
	srcPlanes[0], srcStride[0] = (*C.uint8_t)(src), C.int(m.Step())
	if C.sws_scale(sws, (**C.uint8_t)(unsafe.Pointer(&srcPlanes[0])), &srcStride[0], 0, C.int(h),
		(**C.uint8_t)(unsafe.Pointer(&f.data[0])), &f.linesize[0]) <= 0 {
		p.Close()
		return nil, fmt.Errorf("picture from BGR: conversion failed")
	}
	return p, nil
}
