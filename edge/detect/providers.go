package detect

import (
	"fmt"
	"sort"
	"strings"

	ort "github.com/yalue/onnxruntime_go"
)

// ProviderCPU is onnxruntime's own CPU execution provider, always present.
const ProviderCPU = "cpu"

// providers maps the execution-provider names accepted in Options.Providers
// to how onnxruntime_go v1.27.0 appends each to a session. Whether one
// works depends on the onnxruntime build and the machine: the stock Linux
// library has only the CPU provider, so the others fail at append or at
// session creation, and Open then falls back or names the provider.
var providers = map[string]func(so *ort.SessionOptions) error{
	ProviderCPU: func(*ort.SessionOptions) error { return nil },
	"cuda": func(so *ort.SessionOptions) error {
		o, err := ort.NewCUDAProviderOptions()
		if err != nil {
			return err
		}
		defer o.Destroy()
		return so.AppendExecutionProviderCUDA(o)
	},
	"tensorrt": func(so *ort.SessionOptions) error {
		o, err := ort.NewTensorRTProviderOptions()
		if err != nil {
			return err
		}
		defer o.Destroy()
		return so.AppendExecutionProviderTensorRT(o)
	},
	"openvino": func(so *ort.SessionOptions) error { return so.AppendExecutionProviderOpenVINO(nil) },
	"coreml":   func(so *ort.SessionOptions) error { return so.AppendExecutionProviderCoreMLV2(nil) },
	"directml": func(so *ort.SessionOptions) error { return so.AppendExecutionProviderDirectML(0) },
	// The rest go through onnxruntime's generic
	// SessionOptionsAppendExecutionProvider, by the names it knows.
	"xnnpack": genericProvider("XNNPACK"),
	"qnn":     genericProvider("QNN"),
	"snpe":    genericProvider("SNPE"),
	"vitisai": genericProvider("VitisAI"),
	"webgpu":  genericProvider("WebGPU"),
	"azure":   genericProvider("AZURE"),
}

func genericProvider(name string) func(*ort.SessionOptions) error {
	return func(so *ort.SessionOptions) error { return so.AppendExecutionProvider(name, nil) }
}

// Providers lists the execution-provider names Options.Providers accepts,
// sorted.
func Providers() []string {
	names := make([]string, 0, len(providers))
	for n := range providers {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// graphOptLevels maps Options.GraphOptimization to onnxruntime's levels.
var graphOptLevels = map[string]ort.GraphOptimizationLevel{
	"":         ort.GraphOptimizationLevelEnableAll,
	"all":      ort.GraphOptimizationLevelEnableAll,
	"extended": ort.GraphOptimizationLevelEnableExtended,
	"basic":    ort.GraphOptimizationLevelEnableBasic,
	"disable":  ort.GraphOptimizationLevelDisableAll,
}

// GraphOptimizationLevels lists the values Options.GraphOptimization
// accepts besides "" (all).
func GraphOptimizationLevels() []string { return []string{"disable", "basic", "extended", "all"} }

// checkOptions rejects option values that can never work, before anything
// is loaded.
func checkOptions(o Options) error {
	var bad []string
	for i, p := range o.Providers {
		if _, ok := providers[p]; !ok {
			bad = append(bad, fmt.Sprintf("providers[%d]: unknown execution provider %q: allowed: %s", i, p, strings.Join(Providers(), ", ")))
		}
	}
	if _, ok := graphOptLevels[o.GraphOptimization]; !ok {
		bad = append(bad, fmt.Sprintf("graph optimization %q: allowed: %s", o.GraphOptimization, strings.Join(GraphOptimizationLevels(), ", ")))
	}
	if o.Backend != "" && o.Backend != BackendONNXRuntime && o.Backend != BackendOpenCV {
		bad = append(bad, fmt.Sprintf("backend %q: allowed: %s, %s", o.Backend, BackendONNXRuntime, BackendOpenCV))
	}
	if o.IntraOpThreads < 0 {
		bad = append(bad, fmt.Sprintf("intra-op threads %d: want 0 (runtime default) or more", o.IntraOpThreads))
	}
	if o.MaxBatch < 0 {
		bad = append(bad, fmt.Sprintf("max batch %d: want 0 (default) or more", o.MaxBatch))
	}
	if len(bad) > 0 {
		return fmt.Errorf("options: %s", strings.Join(bad, "; "))
	}
	return nil
}
