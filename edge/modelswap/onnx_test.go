package modelswap

import (
	"encoding/binary"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// A minimal ONNX writer (the same messages as edge/detect's tests write),
// so these tests can make models with known, input-dependent outputs.

func onnxModel(graph []byte) []byte {
	var b []byte
	b = protowire.AppendTag(b, 1, protowire.VarintType) // ir_version
	b = protowire.AppendVarint(b, 8)
	b = appendString(b, 2, "xiuhua-test")
	b = appendBytes(b, 7, graph)
	var op []byte
	op = appendString(op, 1, "")
	op = protowire.AppendTag(op, 2, protowire.VarintType)
	op = protowire.AppendVarint(op, 13)
	return appendBytes(b, 8, op) // opset_import
}

func onnxGraph(nodes, inits, inputs, outputs [][]byte) []byte {
	var b []byte
	for _, n := range nodes {
		b = appendBytes(b, 1, n)
	}
	b = appendString(b, 2, "g")
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

func attrInt(name string, v int64) []byte {
	var b []byte
	b = appendString(b, 1, name)
	b = protowire.AppendTag(b, 3, protowire.VarintType)
	b = protowire.AppendVarint(b, uint64(v))
	b = protowire.AppendTag(b, 20, protowire.VarintType)
	return protowire.AppendVarint(b, 2) // INT
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

func floatTensor(name string, dims []int64, v []float32) []byte {
	raw := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(x))
	}
	return tensorProto(name, dims, 1, raw)
}

func int64Tensor(name string, dims []int64, v []int64) []byte {
	raw := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(raw[8*i:], uint64(x))
	}
	return tensorProto(name, dims, 7, raw)
}

func valueInfo(name string, dims ...int64) []byte {
	var shape []byte
	for _, d := range dims {
		var dim []byte
		dim = protowire.AppendTag(dim, 1, protowire.VarintType)
		dim = protowire.AppendVarint(dim, uint64(d))
		shape = appendBytes(shape, 1, dim)
	}
	var tensor []byte
	tensor = protowire.AppendTag(tensor, 1, protowire.VarintType)
	tensor = protowire.AppendVarint(tensor, 1) // float
	tensor = appendBytes(tensor, 2, shape)
	var typ []byte
	typ = appendBytes(typ, 1, tensor)
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

// nmsFreeModel is an nms_free model with a 1×3×32×64 input and one output
// box [1, 1, 6] = base + delta·(mean of the channels' largest values, 0–1):
//
//	output = Reshape(Gemm(Flatten(GlobalMaxPool(images)), delta/3, base))
//
// With delta zero it finds the same box in every frame; with a delta on
// the class id it works on a black frame and fails on any brighter one
// (a class id that is not a whole number is an unreadable box).
func nmsFreeModel(base, delta []float32) []byte {
	if delta == nil {
		delta = make([]float32, len(base))
	}
	weights := make([]float32, 3*len(base))
	for j, d := range delta {
		for c := range 3 {
			weights[3*j+c] = d / 3
		}
	}
	nodes := [][]byte{
		onnxNode("GlobalMaxPool", []string{"images"}, []string{"pooled"}),
		onnxNode("Flatten", []string{"pooled"}, []string{"flat"}, attrInt("axis", 1)),
		onnxNode("Gemm", []string{"flat", "weights", "base"}, []string{"gemm"}, attrInt("transB", 1)),
		onnxNode("Reshape", []string{"gemm", "shape"}, []string{"output"}),
	}
	inits := [][]byte{
		floatTensor("weights", []int64{int64(len(base)), 3}, weights),
		floatTensor("base", []int64{int64(len(base))}, base),
		int64Tensor("shape", []int64{3}, []int64{1, 1, 6}),
	}
	return onnxModel(onnxGraph(nodes, inits,
		[][]byte{valueInfo("images", 1, 3, 32, 64)},
		[][]byte{valueInfo("output", 1, 1, 6)}))
}
