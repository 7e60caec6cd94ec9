package config

import (
	"fmt"
	"os"
	"time"

	"github.com/xiuhua/xiuhua/internal/conf"
)

// Models configures the model registry and rollouts.
type Models struct {
	// MaxUploadBytes bounds an uploaded ONNX file.
	MaxUploadBytes int64 `yaml:"max_upload_bytes"`
	// ReferenceImage is the JPEG or PNG every upload's smoke run sees;
	// empty: a synthetic street scene.
	ReferenceImage string `yaml:"reference_image"`
	// ONNXRuntimeLibrary is libonnxruntime's path; empty: $ORT_LIB, then
	// the cache hack/setup.sh fills, then /usr/local/lib and /usr/lib.
	ONNXRuntimeLibrary string `yaml:"onnxruntime_library"`
	// SmokeTimeout bounds an upload's smoke run.
	SmokeTimeout conf.Duration `yaml:"smoke_timeout"`
	// Resend is how long an unanswered assignment waits before it goes to
	// the edge again.
	Resend conf.Duration `yaml:"resend"`
	// Probation and MaxErrorRate go to edges with each assignment: how
	// long a new model must run cleanly, and the run-time error rate
	// (0 to 1) above which the edge rolls back.
	Probation    conf.Duration `yaml:"probation"`
	MaxErrorRate float32       `yaml:"max_error_rate"`
}

// MaxUploadBytesCeiling catches a size typed in bits or with an extra digit.
const MaxUploadBytesCeiling = 8 << 30

func defaultModels() Models {
	return Models{
		MaxUploadBytes: 512 << 20,
		SmokeTimeout:   conf.Duration(time.Minute),
		Resend:         conf.Duration(time.Minute),
		Probation:      conf.Duration(10 * time.Minute),
		MaxErrorRate:   0.05,
	}
}

func (m *Models) validate(errs *conf.Errors) {
	if n := m.MaxUploadBytes; n < 1 || n > MaxUploadBytesCeiling {
		errs.Add("models.max_upload_bytes", n, fmt.Sprintf("1 to %d (bytes)", int64(MaxUploadBytesCeiling)))
	}
	if m.ReferenceImage != "" {
		if st, err := os.Stat(m.ReferenceImage); err != nil || st.IsDir() {
			errs.Add("models.reference_image", m.ReferenceImage, "an existing JPEG or PNG file, or empty for the built-in picture")
		}
	}
	if d := m.SmokeTimeout.D(); d < time.Second || d > time.Hour {
		errs.Add("models.smoke_timeout", m.SmokeTimeout.String(), "1s to 1h")
	}
	if d := m.Resend.D(); d < time.Second || d > 24*time.Hour {
		errs.Add("models.resend", m.Resend.String(), "1s to 24h")
	}
	if d := m.Probation.D(); d < 0 || d > 7*24*time.Hour {
		errs.Add("models.probation", m.Probation.String(), "0s to 168h")
	}
	if r := m.MaxErrorRate; !(r >= 0 && r <= 1) {
		errs.Add("models.max_error_rate", r, "a number from 0 to 1")
	}
}
