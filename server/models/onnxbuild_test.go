package models

import (
	"encoding/binary"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// A tiny writer for the few ONNX protobuf messages the tests need, so that
// they can build models whose outputs are known without Python or generated
// onnx code. Field numbers are from onnx/onnx.proto.

// onnx element types (TensorProto.DataType).
const (
	onnxFloat = 1
	onnxInt64 = 7
)

// onnxModel builds a ModelProto around one graph with the given opset.
func onnxModel(opset int64, graph []byte) []byte {
	var b []byte
	b = protowire.AppendTag(b, 1, protowire.VarintType) // ir_version
	b = protowire.AppendVarint(b, 8)
	b = appendString(b, 2, "xiuhua-test") // producer_name
	b = appendBytes(b, 7, graph)          // graph
	var op []byte
	op = appendString(op, 1, "") // domain: the default ONNX domain
	op = protowire.AppendTag(op, 2, protowire.VarintType)
	op = protowire.AppendVarint(op, uint64(opset))
	b = appendBytes(b, 8, op) // opset_import
	return b
}

// onnxGraph builds a GraphProto.
func onnxGraph(name string, nodes, inits, inputs, outputs [][]byte) []byte {
	var b []byte
	for _, n := range nodes {
		b = appendBytes(b, 1, n)
	}
	b = appendString(b, 2, name)
	for _, t := range inits {
		b = appendBytes(b, 5, t)
	}
	for _, v := range inputs {
		b = appendBytes(b, 11, v)
	}
	for _, v := range outputs {
		b = appendBytes(b, 12, v)
	}
	return b
}

// onnxNode builds a NodeProto; attrs are AttributeProto messages.
func onnxNode(op string, inputs, outputs []string, attrs ...[]byte) []byte {
	var b []byte
	for _, s := range inputs {
		b = appendString(b, 1, s)
	}
	for _, s := range outputs {
		b = appendString(b, 2, s)
	}
	b = appendString(b, 3, op+"_"+outputs[0])
	b = appendString(b, 4, op)
	for _, a := range attrs {
		b = appendBytes(b, 5, a)
	}
	return b
}

// attrInt is an INT attribute.
func attrInt(name string, v int64) []byte {
	var b []byte
	b = appendString(b, 1, name)
	b = protowire.AppendTag(b, 3, protowire.VarintType)
	b = protowire.AppendVarint(b, uint64(v))
	b = protowire.AppendTag(b, 20, protowire.VarintType)
	return protowire.AppendVarint(b, 2)
}

// floatTensor is a TensorProto of float32 values in raw_data.
func floatTensor(name string, dims []int64, v []float32) []byte {
	raw := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(x))
	}
	return tensorProto(name, dims, onnxFloat, raw)
}

// int64Tensor is a TensorProto of int64 values in raw_data.
func int64Tensor(name string, dims []int64, v []int64) []byte {
	raw := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(raw[8*i:], uint64(x))
	}
	return tensorProto(name, dims, onnxInt64, raw)
}

func tensorProto(name string, dims []int64, typ uint64, raw []byte) []byte {
	var b []byte
	for _, d := range dims {
		b = protowire.AppendTag(b, 1, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(d))
	}
	b = protowire.AppendTag(b, 2, protowire.VarintType)
	b = protowire.AppendVarint(b, typ)
	b = appendString(b, 8, name)
	return appendBytes(b, 9, raw)
}

// valueInfo is a float tensor ValueInfoProto; a negative dimension is
// written as the symbolic dimension "N" (dynamic).
func valueInfo(name string, dims ...int64) []byte {
	var shape []byte
	for _, d := range dims {
		var dim []byte
		if d < 0 {
			dim = appendString(dim, 2, "N") // dim_param
		} else {
			dim = protowire.AppendTag(dim, 1, protowire.VarintType) // dim_value
			dim = protowire.AppendVarint(dim, uint64(d))
		}
		shape = appendBytes(shape, 1, dim)
	}
	var tensor []byte
	tensor = protowire.AppendTag(tensor, 1, protowire.VarintType) // elem_type
	tensor = protowire.AppendVarint(tensor, onnxFloat)
	tensor = appendBytes(tensor, 2, shape)
	var typ []byte
	typ = appendBytes(typ, 1, tensor) // tensor_type
	var b []byte
	b = appendString(b, 1, name)
	return appendBytes(b, 2, typ)
}

func appendBytes(b []byte, num protowire.Number, v []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, v)
}

func appendString(b []byte, num protowire.Number, s string) []byte {
	return appendBytes(b, num, []byte(s))
}

// constantModel is a model with one image input [1, 3, h, w] whose one
// output is the constant base reshaped to outShape, whatever the image:
//
//	output = Reshape(Gemm(Flatten(GlobalMaxPool(images)), 0, base), outShape)
//
// declared as outDims (−1: dynamic). A NaN in base makes a model that
// loads and runs but gives NaN.
func constantModel(h, w int64, outDims, outShape []int64, base []float32) []byte {
	n := int64(len(base))
	nodes := [][]byte{
		onnxNode("GlobalMaxPool", []string{"images"}, []string{"pooled"}),
		onnxNode("Flatten", []string{"pooled"}, []string{"flat"}, attrInt("axis", 1)),
		onnxNode("Gemm", []string{"flat", "weights", "base"}, []string{"gemm"}, attrInt("transB", 1)),
		onnxNode("Reshape", []string{"gemm", "shape"}, []string{"output"}),
	}
	inits := [][]byte{
		floatTensor("weights", []int64{n, 3}, make([]float32, 3*n)),
		floatTensor("base", []int64{n}, base),
		int64Tensor("shape", []int64{int64(len(outShape))}, outShape),
	}
	graph := onnxGraph("constant", nodes, inits,
		[][]byte{valueInfo("images", 1, 3, h, w)},
		[][]byte{valueInfo("output", outDims...)})
	return onnxModel(13, graph)
}
