package detect

/*
#cgo !windows pkg-config: opencv4
#cgo CXXFLAGS: -std=c++14
#include <stdlib.h>
#include "opencv_dnn.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"unsafe"
)

// cvBackend runs a model with OpenCV DNN on the CPU: a second runtime,
// independent of onnxruntime, to check one against the other and to run
// where onnxruntime is not available. It goes through a small C++ wrapper
// (opencv_dnn.cpp) rather than gocv's Net, because gocv lets OpenCV's C++
// exceptions abort the process, and a model OpenCV cannot handle must be an
// error.
type cvBackend struct {
	net   *C.xh_net
	io    modelIO
	batch int
}

// openCV loads the model into OpenCV DNN. threads > 0 sets OpenCV's thread
// count, which is process-wide.
func openCV(data []byte, io modelIO, opts Options) (*cvBackend, error) {
	if len(data) == 0 {
		return nil, errors.New("opencv: empty model")
	}
	if opts.IntraOpThreads > 0 {
		C.xh_set_num_threads(C.int(opts.IntraOpThreads))
	}
	var cerr *C.char
	net := C.xh_net_read((*C.char)(unsafe.Pointer(&data[0])), C.size_t(len(data)), &cerr)
	if net == nil {
		return nil, fmt.Errorf("opencv: read model: %s", takeCString(cerr))
	}
	b := &cvBackend{net: net, io: io, batch: 1}
	if io.dynamicBatch {
		b.batch = opts.maxBatch()
	}
	return b, nil
}

func (b *cvBackend) maxBatch() int   { return b.batch }
func (b *cvBackend) runtime() string { return BackendOpenCV }

func (b *cvBackend) dims(n int) ([]C.int, error) {
	if n < 1 || n > b.batch {
		return nil, fmt.Errorf("batch of %d: this model takes 1 to %d images a run", n, b.batch)
	}
	s := withBatch(b.io.inShape, n)
	d := make([]C.int, len(s))
	for i, v := range s {
		d[i] = C.int(v)
	}
	return d, nil
}

func (b *cvBackend) input(n int) ([]float32, error) {
	if b.net == nil {
		return nil, errors.New("opencv: closed")
	}
	d, err := b.dims(n)
	if err != nil {
		return nil, err
	}
	var cerr *C.char
	p := C.xh_net_input(b.net, &d[0], C.int(len(d)), &cerr)
	if p == nil {
		return nil, fmt.Errorf("opencv: input blob: %s", takeCString(cerr))
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(p)), product(withBatch(b.io.inShape, n))), nil
}

func (b *cvBackend) run(n int) ([]float32, error) {
	if b.net == nil {
		return nil, errors.New("opencv: closed")
	}
	d, err := b.dims(n)
	if err != nil {
		return nil, err
	}
	var cerr *C.char
	var size C.size_t
	p := C.xh_net_forward(b.net, &d[0], C.int(len(d)), &size, &cerr)
	if p == nil {
		return nil, fmt.Errorf("opencv: forward: %s", takeCString(cerr))
	}
	if size == 0 {
		return nil, errors.New("opencv: empty output")
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(p)), int(size)), nil
}

func (b *cvBackend) close() error {
	if b.net != nil {
		C.xh_net_free(b.net)
		b.net = nil
	}
	return nil
}

// takeCString converts and frees a message from the wrapper.
func takeCString(s *C.char) string {
	if s == nil {
		return "unknown error"
	}
	defer C.free(unsafe.Pointer(s))
	return C.GoString(s)
}
