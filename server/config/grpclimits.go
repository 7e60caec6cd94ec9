package config

import (
	"time"

	"github.com/xiuhua/xiuhua/internal/conf"
)

// GRPCLimits bound what edge devices may ask of the gRPC endpoint
// (limits.grpc). The largest message the server accepts is not a setting:
// it follows limits.max_attachment_bytes, so that a re-check answer with
// two pictures of that size fits.
type GRPCLimits struct {
	// MaxConcurrentStreams bounds the streams one connection may open at
	// once (HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS).
	MaxConcurrentStreams int `yaml:"max_concurrent_streams"`
	// ReportTimeout bounds one report stream, report and evidence, from
	// its first message to its answer.
	ReportTimeout conf.Duration `yaml:"report_timeout"`
	// MaxReportStreamsPerDevice bounds a device's report streams open at
	// once; ReportsPerMinute the reports it may start a minute (a burst of
	// one minute's worth is allowed, for an outbox flushed after an
	// outage). Refusals are ResourceExhausted: the edge retries later.
	MaxReportStreamsPerDevice int `yaml:"max_report_streams_per_device"`
	ReportsPerMinute          int `yaml:"reports_per_minute"`
	// HeartbeatWriteInterval is how often a device's heartbeat is written
	// to the database; the ones between are answered and counted only.
	HeartbeatWriteInterval conf.Duration `yaml:"heartbeat_write_interval"`
}

func defaultGRPCLimits() GRPCLimits {
	return GRPCLimits{
		MaxConcurrentStreams:      64,
		ReportTimeout:             conf.Duration(10 * time.Minute),
		MaxReportStreamsPerDevice: 4,
		ReportsPerMinute:          600,
		HeartbeatWriteInterval:    conf.Duration(time.Minute),
	}
}

// MaxMessageBytes is the largest gRPC message the server accepts: a
// re-check answer carries up to two pictures of maxAttachment bytes each,
// plus its other fields.
func MaxMessageBytes(maxAttachment int64) int {
	return int(2*maxAttachment + 1<<20)
}

func (g GRPCLimits) validate(errs *conf.Errors) {
	if n := g.MaxConcurrentStreams; n < 4 || n > 10000 {
		errs.Add("limits.grpc.max_concurrent_streams", n, "4 to 10000")
	}
	if d := g.ReportTimeout.D(); d < 10*time.Second || d > 24*time.Hour {
		errs.Add("limits.grpc.report_timeout", g.ReportTimeout.String(), "10s to 24h")
	}
	if n := g.MaxReportStreamsPerDevice; n < 1 || n > 1000 {
		errs.Add("limits.grpc.max_report_streams_per_device", n, "1 to 1000")
	}
	if n := g.ReportsPerMinute; n < 1 || n > 1000000 {
		errs.Add("limits.grpc.reports_per_minute", n, "1 to 1000000")
	}
	if d := g.HeartbeatWriteInterval.D(); d < time.Second || d > time.Hour {
		errs.Add("limits.grpc.heartbeat_write_interval", g.HeartbeatWriteInterval.String(), "1s to 1h")
	}
}
