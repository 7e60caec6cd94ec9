// Package onnxbuild writes small ONNX models for tests: a model whose
// output is known in advance (a constant, a NaN, a value that moves with
// the image's brightness) tells whether the code around inference — the
// family decoders, the batcher, the registry's checks, the hot swap — reads
// it right, which a real network's output cannot. It writes the protobuf by
// hand with protowire, so that tests need neither Python nor generated onnx
// Go code.
//
// Field numbers are from onnx/onnx.proto. Each function returns one encoded
// message, ready to be nested in the next: tensors and nodes go into Graph,
// the graph into Model. Detector covers the models the tests mostly need.
//
// The package imports neither gocv nor edge/, so server/ tests can use it;
// only _test files should import it.
package onnxbuild

import "google.golang.org/protobuf/encoding/protowire"

// Model is a ModelProto (IR version 8, producer "xiuhua-test") around one
// GraphProto, importing the default ONNX domain at opset.
func Model(opset int64, graph []byte) []byte {
	var b []byte
	b = appendVarint(b, 1, 8)             // ir_version
	b = appendString(b, 2, "xiuhua-test") // producer_name
	b = appendBytes(b, 7, graph)          // graph
	var op []byte
	op = appendString(op, 1, "") // domain: the default ONNX domain
	op = appendVarint(op, 2, uint64(opset))
	return appendBytes(b, 8, op) // opset_import
}

// Graph is a GraphProto: nodes (from Node) in the order they run,
// initializers (Floats, Int64s), and the inputs and outputs (Value).
func Graph(name string, nodes, initializers, inputs, outputs [][]byte) []byte {
	var b []byte
	for _, n := range nodes {
		b = appendBytes(b, 1, n)
	}
	b = appendString(b, 2, name)
	for _, t := range initializers {
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

// Node is a NodeProto running op (e.g. "Gemm") on the named values; attrs
// are from AttrInt. The node is named op_output (e.g. "Gemm_gemm"), which
// is the name runtimes quote in their errors.
func Node(op string, inputs, outputs []string, attrs ...[]byte) []byte {
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

// AttrInt is an INT AttributeProto, such as Flatten's axis.
func AttrInt(name string, v int64) []byte {
	var b []byte
	b = appendString(b, 1, name)
	b = appendVarint(b, 3, uint64(v))
	return appendVarint(b, 20, 2) // type: INT
}

func appendVarint(b []byte, num protowire.Number, v uint64) []byte {
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, v)
}

func appendBytes(b []byte, num protowire.Number, v []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, v)
}

func appendString(b []byte, num protowire.Number, s string) []byte {
	return appendBytes(b, num, []byte(s))
}
