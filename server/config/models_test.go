package config

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/internal/conf"
)

func TestModelsValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(m *Models)
		want string
	}{
		{"upload size", func(m *Models) { m.MaxUploadBytes = 0 }, "models.max_upload_bytes: invalid value 0"},
		{"missing reference image", func(m *Models) { m.ReferenceImage = "/nonexistent.jpg" }, `models.reference_image: invalid value "/nonexistent.jpg"`},
		{"smoke timeout", func(m *Models) { m.SmokeTimeout = conf.Duration(time.Millisecond) }, "models.smoke_timeout: invalid value"},
		{"resend", func(m *Models) { m.Resend = 0 }, "models.resend: invalid value"},
		{"error rate", func(m *Models) { m.MaxErrorRate = 1.5 }, "models.max_error_rate: invalid value 1.5: allowed: a number from 0 to 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Default()
			tc.edit(&cfg.Models)
			require.ErrorContains(t, cfg.Validate(), tc.want)
		})
	}
}
