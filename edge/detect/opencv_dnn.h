// A small C wrapper over OpenCV DNN for the opencv backend. Unlike gocv's
// Net wrappers it catches every C++ exception and returns it as a message,
// so a model OpenCV cannot read or run is an error, not an aborted process.
#ifndef XIUHUA_OPENCV_DNN_H
#define XIUHUA_OPENCV_DNN_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct xh_net xh_net;

// xh_net_read parses an ONNX model held in memory. On failure it returns
// NULL and sets *err to a message the caller frees with free().
xh_net* xh_net_read(const char* data, size_t len, char** err);

// xh_net_input returns the input blob's memory for the given shape,
// allocating it the first time a shape is asked for; it stays valid, and
// distinct per shape, until xh_net_free. NULL and *err on failure.
float* xh_net_input(xh_net* net, const int* dims, int ndims, char** err);

// xh_net_forward runs the network on the blob of the given shape (filled
// through xh_net_input) and returns the output's memory, valid until the
// next forward, with its element count in *len. NULL and *err on failure.
const float* xh_net_forward(xh_net* net, const int* dims, int ndims, size_t* len, char** err);

void xh_net_free(xh_net* net);

// xh_set_num_threads sets OpenCV's process-wide thread count.
void xh_set_num_threads(int n);

#ifdef __cplusplus
}
#endif

#endif
