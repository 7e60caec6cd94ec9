package app

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/xiuhua/xiuhua/server/blob"
	"github.com/xiuhua/xiuhua/server/config"
	"github.com/xiuhua/xiuhua/server/ingest"
	"github.com/xiuhua/xiuhua/server/models"
	"github.com/xiuhua/xiuhua/server/store"
	"github.com/xiuhua/xiuhua/server/web"
)

// openModels starts the model registry on data_dir/models (the folder
// ingest's FetchModel serves), adds its rollout Control to ing's control
// streams, and returns what the web side needs. onnxruntime loads on the
// first upload, not here: a server that never takes an upload needs no
// library.
func openModels(cfg config.Config, st store.Store, blobs blob.Store, ing *ingest.Service, reg prometheus.Registerer, log *slog.Logger) (*web.ModelOptions, error) {
	m := models.NewMetrics(reg)
	registry, err := models.New(models.Options{
		Store:          st,
		Dir:            filepath.Join(cfg.DataDir, ModelsDir),
		Blobs:          blobs,
		MaxBytes:       cfg.Models.MaxUploadBytes,
		ReferenceImage: cfg.Models.ReferenceImage,
		ORTLibrary:     cfg.Models.ONNXRuntimeLibrary,
		SmokeTimeout:   cfg.Models.SmokeTimeout.D(),
		Kick:           ing.Kick,
		Metrics:        m,
		Log:            log,
	})
	if err != nil {
		return nil, err
	}
	ing.AddControl(models.NewControl(models.ControlOptions{
		Store:        st,
		Resend:       cfg.Models.Resend.D(),
		Probation:    cfg.Models.Probation.D(),
		MaxErrorRate: cfg.Models.MaxErrorRate,
		Metrics:      m,
		Log:          log,
	}))
	return &web.ModelOptions{Registry: registry, Export: st, MaxUploadBytes: cfg.Models.MaxUploadBytes, Metrics: m}, nil
}

// ExportDataset writes the training data export (see models.ExportDataset)
// of the server cfg describes to w, reading its database and evidence
// folder directly, so that it runs beside a running server.
func ExportDataset(ctx context.Context, cfg config.Config, format string, w io.Writer) (models.ExportStats, error) {
	if err := cfg.Validate(); err != nil {
		return models.ExportStats{}, err
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return models.ExportStats{}, err
	}
	defer st.Close()
	blobs, err := openBlobs(ctx, cfg, nil, slog.Default())
	if err != nil {
		return models.ExportStats{}, err
	}
	defer blobs.Close()
	return models.ExportDataset(ctx, st, blobs, models.ExportOptions{Format: format}, w)
}
