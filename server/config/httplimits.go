package config

import (
	"time"

	"github.com/xiuhua/xiuhua/internal/conf"
)

// HTTPLimits are the web side's time limits by kind of route
// (limits.http). One server-wide read or write timeout cannot fit both a
// JSON call and a 512 MiB model upload over a city network, so each route
// sets its own deadlines as it starts.
type HTTPLimits struct {
	// ReadTimeout bounds reading an ordinary request's body, and
	// WriteTimeout writing its answer.
	ReadTimeout  conf.Duration `yaml:"read_timeout"`
	WriteTimeout conf.Duration `yaml:"write_timeout"`
	// AttachmentTimeout bounds a case step that carries a photo (an
	// officer's phone on a slow link): its whole body and answer.
	AttachmentTimeout conf.Duration `yaml:"attachment_timeout"`
	// UploadTimeout bounds a model upload, body and check.
	UploadTimeout conf.Duration `yaml:"upload_timeout"`
	// DownloadTimeout bounds sending one evidence file (clips to a slow
	// browser). Dataset exports and live updates have no overall limit:
	// exports stream sample by sample, live updates end with the session.
	DownloadTimeout conf.Duration `yaml:"download_timeout"`
}

func defaultHTTPLimits() HTTPLimits {
	return HTTPLimits{
		ReadTimeout:       conf.Duration(30 * time.Second),
		WriteTimeout:      conf.Duration(5 * time.Minute),
		AttachmentTimeout: conf.Duration(10 * time.Minute),
		UploadTimeout:     conf.Duration(time.Hour),
		DownloadTimeout:   conf.Duration(time.Hour),
	}
}

func (h HTTPLimits) validate(errs *conf.Errors) {
	for _, f := range []struct {
		name     string
		v        conf.Duration
		min, max time.Duration
	}{
		{"read_timeout", h.ReadTimeout, time.Second, time.Hour},
		{"write_timeout", h.WriteTimeout, time.Second, 24 * time.Hour},
		{"attachment_timeout", h.AttachmentTimeout, 10 * time.Second, 24 * time.Hour},
		{"upload_timeout", h.UploadTimeout, 10 * time.Second, 24 * time.Hour},
		{"download_timeout", h.DownloadTimeout, 10 * time.Second, 24 * time.Hour},
	} {
		if d := f.v.D(); d < f.min || d > f.max {
			errs.Add("limits.http."+f.name, f.v.String(), f.min.String()+" to "+f.max.String())
		}
	}
}
