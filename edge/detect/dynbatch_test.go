package detect

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/xiuhua/xiuhua/internal/testdata"
)

// editFields rewrites a protobuf message field by field: edit gets each
// length-delimited field's number and bytes and returns the new bytes (the
// same ones to keep it, nil to drop it); other fields are copied as they
// are.
func editFields(tb testing.TB, msg []byte, edit func(num protowire.Number, v []byte) []byte) []byte {
	tb.Helper()
	var out []byte
	for len(msg) > 0 {
		num, typ, n := protowire.ConsumeTag(msg)
		require.GreaterOrEqual(tb, n, 0, "bad tag")
		if typ != protowire.BytesType {
			m := protowire.ConsumeFieldValue(num, typ, msg[n:])
			require.GreaterOrEqual(tb, m, 0, "bad field %d", num)
			out = append(out, msg[:n+m]...)
			msg = msg[n+m:]
			continue
		}
		v, m := protowire.ConsumeBytes(msg[n:])
		require.GreaterOrEqual(tb, m, 0, "bad field %d", num)
		if e := edit(num, v); e != nil {
			out = appendBytes(out, num, e)
		}
		msg = msg[n+m:]
	}
	return out
}

// fields returns the values of one length-delimited field of msg.
func fields(tb testing.TB, msg []byte, field protowire.Number) [][]byte {
	var out [][]byte
	editFields(tb, msg, func(num protowire.Number, v []byte) []byte {
		if num == field {
			out = append(out, v)
		}
		return v
	})
	return out
}

// dynamicBatchONNX rewrites an ONNX model so that the first dimension of
// its graph inputs and outputs is the symbolic "N", drops the graph's
// value_info shape hints, and turns a leading 1 in each Reshape's constant
// target shape (an initializer) into 0, "copy the input's dimension", which
// is how a PyTorch export hard-codes batch 1. Weights are untouched. It
// works for YOLOX-Nano as published; a model with other batch-1 constants
// will fail at run time with batch > 1.
func dynamicBatchONNX(tb testing.TB, model []byte) []byte {
	reshapeShapes := map[string]bool{}
	for _, g := range fields(tb, model, 7) {
		for _, n := range fields(tb, g, 1) {
			if ins := fields(tb, n, 1); string(fields(tb, n, 4)[0]) == "Reshape" && len(ins) == 2 {
				reshapeShapes[string(ins[1])] = true
			}
		}
	}
	initializer := func(t []byte) []byte { // TensorProto
		names := fields(tb, t, 8)
		if len(names) != 1 || !reshapeShapes[string(names[0])] {
			return t
		}
		return editFields(tb, t, func(num protowire.Number, v []byte) []byte {
			if num != 9 || len(v) < 8 || binary.LittleEndian.Uint64(v) != 1 { // raw_data
				return v
			}
			v = append([]byte(nil), v...)
			binary.LittleEndian.PutUint64(v, 0)
			return v
		})
	}
	firstDim := func(shape []byte) []byte { // TensorShapeProto
		first := true
		return editFields(tb, shape, func(num protowire.Number, v []byte) []byte {
			if num != 1 || !first {
				return v
			}
			first = false
			return appendString(nil, 2, "N") // dim_param instead of dim_value
		})
	}
	valueInfo := func(vi []byte) []byte {
		return editFields(tb, vi, func(num protowire.Number, v []byte) []byte {
			if num != 2 { // type
				return v
			}
			return editFields(tb, v, func(num protowire.Number, v []byte) []byte {
				if num != 1 { // tensor_type
					return v
				}
				return editFields(tb, v, func(num protowire.Number, v []byte) []byte {
					if num != 2 { // shape
						return v
					}
					return firstDim(v)
				})
			})
		})
	}
	return editFields(tb, model, func(num protowire.Number, v []byte) []byte {
		if num != 7 { // graph
			return v
		}
		return editFields(tb, v, func(num protowire.Number, v []byte) []byte {
			if num == 11 || num == 12 { // input, output
				return valueInfo(v)
			}
			if num == 13 { // value_info: shape hints that may pin batch 1
				return nil
			}
			if num == 5 {
				return initializer(v)
			}
			return v
		})
	})
}

// dynamicYOLOXNano is the shipped YOLOX-Nano with its batch made dynamic,
// with the shipped manifest pointing at it.
func dynamicYOLOXNano(tb testing.TB) *Manifest {
	tb.Helper()
	data, err := os.ReadFile(testdata.Path(tb, "models", "yolox_nano.onnx"))
	require.NoError(tb, err)
	dyn := dynamicBatchONNX(tb, data)
	m := realManifest(tb)
	dir := tb.TempDir()
	require.NoError(tb, os.WriteFile(filepath.Join(dir, "yolox_nano_dynamic.onnx"), dyn, 0o644))
	m.Dir, m.ONNX, m.SHA256 = dir, "yolox_nano_dynamic.onnx", sha256Hex(dyn)
	return m
}
