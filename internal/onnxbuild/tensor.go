package onnxbuild

import (
	"encoding/binary"
	"math"
)

// ONNX element types (TensorProto.DataType).
const (
	elemFloat = 1
	elemInt64 = 7
)

// Floats is a float32 TensorProto of shape dims, for an initializer.
func Floats(name string, dims []int64, v []float32) []byte {
	raw := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(x))
	}
	return tensor(name, dims, elemFloat, raw)
}

// Int64s is an int64 TensorProto of shape dims, such as Reshape's shape.
func Int64s(name string, dims []int64, v []int64) []byte {
	raw := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(raw[8*i:], uint64(x))
	}
	return tensor(name, dims, elemInt64, raw)
}

// tensor is a TensorProto with its values in raw_data (little-endian).
func tensor(name string, dims []int64, typ uint64, raw []byte) []byte {
	var b []byte
	for _, d := range dims {
		b = appendVarint(b, 1, uint64(d))
	}
	b = appendVarint(b, 2, typ) // data_type
	b = appendString(b, 8, name)
	return appendBytes(b, 9, raw) // raw_data
}

// Value is a ValueInfoProto of a float32 tensor, for a graph's inputs and
// outputs. A negative dimension is written as the symbolic dimension "N",
// which runtimes read as dynamic.
func Value(name string, dims ...int64) []byte {
	var shape []byte
	for _, d := range dims {
		var dim []byte
		if d < 0 {
			dim = appendString(dim, 2, "N") // dim_param
		} else {
			dim = appendVarint(dim, 1, uint64(d)) // dim_value
		}
		shape = appendBytes(shape, 1, dim)
	}
	var t []byte
	t = appendVarint(t, 1, elemFloat) // elem_type
	t = appendBytes(t, 2, shape)
	var typ []byte
	typ = appendBytes(typ, 1, t) // tensor_type
	var b []byte
	b = appendString(b, 1, name)
	return appendBytes(b, 2, typ)
}
