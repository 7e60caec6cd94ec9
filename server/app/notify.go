package app

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/xiuhua/xiuhua/server/config"
	"github.com/xiuhua/xiuhua/server/notify"
	"github.com/xiuhua/xiuhua/server/store"
)

// openNotify builds the sinks cfg names and the dispatcher that feeds them;
// both nil when none is configured. Secrets are read here, from the
// environment or files, so that they never sit in the YAML.
func openNotify(cfg config.Notify, st store.Outbox, reg prometheus.Registerer, log *slog.Logger) (*notify.Router, *notify.Dispatcher, error) {
	if !cfg.Enabled() {
		return nil, nil, nil
	}
	var routes []notify.Route
	closeAll := func() {
		for _, r := range routes {
			r.Sink.Close()
		}
	}
	for i, w := range cfg.Webhooks {
		secret, err := w.Secret(fmt.Sprintf("notify.webhooks[%d]", i), os.LookupEnv)
		if err != nil {
			closeAll()
			return nil, nil, err
		}
		routes = append(routes, notify.Route{
			Sink:   notify.NewWebhook(w.SinkName(), w.URL, secret, w.Timeout.D()),
			Events: w.Events,
		})
	}
	if m := cfg.MQTT; m != nil {
		o := notify.MQTTOptions{
			Name: m.SinkName(), Broker: m.Broker, TopicPrefix: m.TopicPrefix, QoS: byte(m.QoS),
			ClientID: m.ClientID, Username: m.Username, Timeout: m.Timeout.D(), Log: log,
		}
		if m.PasswordEnv != "" {
			o.Password = os.Getenv(m.PasswordEnv)
		}
		if o.ClientID == "" {
			// Replicas must not share a client id: the broker would
			// keep only the latest connection.
			host, _ := os.Hostname()
			var b [4]byte
			_, _ = rand.Read(b[:])
			o.ClientID = "xiuhua-" + host + "-" + hex.EncodeToString(b[:])
		}
		routes = append(routes, notify.Route{Sink: notify.NewMQTT(o), Events: m.Events})
	}
	router := notify.NewRouter(routes)
	// A lease must outlast a batch of slow attempts, or another replica
	// would take the batch over and send it twice.
	slowest := notify.DefaultWebhookTimeout
	for _, w := range cfg.Webhooks {
		slowest = max(slowest, w.Timeout.D())
	}
	if cfg.MQTT != nil {
		slowest = max(slowest, cfg.MQTT.Timeout.D())
	}
	d := &notify.Dispatcher{
		Store:   st,
		Sinks:   router.Sinks(),
		Batch:   notify.DefaultBatch,
		Lease:   max(notify.DefaultLease, notify.DefaultBatch*slowest+time.Minute),
		Backoff: notify.Backoff{Base: cfg.Retry.Base.D(), Max: cfg.Retry.Max.D()},
		Metrics: notify.NewMetrics(reg),
		Log:     log,
	}
	return router, d, nil
}
