package app

import (
	"fmt"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/xiuhua/xiuhua/edge/ingest"
	"github.com/xiuhua/xiuhua/edge/outbox"
)

// httpHandler serves /metrics and /healthz.
func httpHandler(reg *prometheus.Registry, fl *fleet, cams []*ingest.Camera, ids []string, ob *outbox.Outbox) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { healthz(w, fl, cams, ids, ob) })
	return mux
}

// healthz says whether the box is overloaded and lists every camera's
// state, one a line (see fleet.healthz). A full outbox disk makes it answer
// 503: violations are then kept only by shedding older evidence, which
// someone must hear about.
func healthz(w http.ResponseWriter, fl *fleet, cams []*ingest.Camera, ids []string, ob *outbox.Outbox) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if full, detail, since := ob.DiskFull(); full {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, "outbox disk full since %s (shedding old evidence): %s\n", since.UTC().Format(time.RFC3339), detail)
	}
	if fl != nil {
		fl.healthz(w, cams, ids)
	}
}
