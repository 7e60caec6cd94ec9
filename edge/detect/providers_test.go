package detect

import (
	"bytes"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestProviders(t *testing.T) {
	m := writeGenModel(t, "yolov5", constantModel(1, 32, 64, familyCases[0].shape, familyCases[0].out, nil), 100)

	t.Run("missing provider alone is an error", func(t *testing.T) {
		for _, p := range []string{"cuda", "tensorrt", "openvino", "coreml", "directml"} {
			d, err := Open(m, Options{Providers: []string{p}})
			require.Nil(t, d)
			require.ErrorContains(t, err, "model gen-yolov5 1")
			require.ErrorContains(t, err, "execution provider "+p+": not available in this onnxruntime build or machine")
		}
	})
	t.Run("fallback down the list is logged", func(t *testing.T) {
		var logs bytes.Buffer
		d, err := Open(m, Options{Providers: []string{"tensorrt", "cuda", "cpu"}, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		require.NoError(t, err)
		defer d.Close()
		require.Equal(t, "onnxruntime/cpu", d.Info().Runtime)
		require.Contains(t, logs.String(), "execution provider unavailable, falling back")
		require.Contains(t, logs.String(), "provider=tensorrt next=cuda")
		require.Contains(t, logs.String(), "provider=cuda next=cpu")
		dets, err := d.Detect(solidFrame(t, 0))
		require.NoError(t, err)
		requireDetections(t, familyCases[0].want, dets)
	})
	t.Run("a list of missing providers names each", func(t *testing.T) {
		_, err := Open(m, Options{Providers: []string{"cuda", "openvino"}, Logger: slog.New(slog.DiscardHandler)})
		require.ErrorContains(t, err, "no execution provider of [cuda openvino] could run the model")
		require.ErrorContains(t, err, "provider cuda:")
		require.ErrorContains(t, err, "provider openvino:")
	})
	t.Run("bad options", func(t *testing.T) {
		_, err := Open(m, Options{Providers: []string{"cpu", "gpu"}, GraphOptimization: "max", Backend: "tflite"})
		require.ErrorContains(t, err, `providers[1]: unknown execution provider "gpu": allowed: azure, coreml, cpu, cuda, directml, openvino, qnn, snpe, tensorrt, vitisai, webgpu, xnnpack`)
		require.ErrorContains(t, err, `graph optimization "max": allowed: disable, basic, extended, all`)
		require.ErrorContains(t, err, `backend "tflite": allowed: onnxruntime, opencv`)
	})
	t.Run("graph optimisation levels and threads", func(t *testing.T) {
		for _, lvl := range GraphOptimizationLevels() {
			d, err := Open(m, Options{GraphOptimization: lvl, IntraOpThreads: 1})
			require.NoError(t, err, lvl)
			require.NoError(t, d.Close())
		}
	})
}
