package config

import (
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/xiuhua/xiuhua/internal/conf"
	"github.com/xiuhua/xiuhua/server/cases"
)

// Notify is where case events go: webhooks and an MQTT broker. With
// neither, no events are written.
type Notify struct {
	Webhooks []Webhook `yaml:"webhooks"`
	MQTT     *MQTT     `yaml:"mqtt"` // nil: no MQTT
	Retry    Retry     `yaml:"retry"`
}

// Webhook is one URL that receives signed POSTs.
type Webhook struct {
	// Name identifies the webhook in the outbox and metrics; the URL when
	// empty. Keep it when the URL changes so that pending events follow.
	Name string `yaml:"name"`
	URL  string `yaml:"url"`
	// SecretEnv or SecretFile (exactly one) holds the HMAC key.
	SecretEnv  string `yaml:"secret_env"`
	SecretFile string `yaml:"secret_file"`
	// Events it wants (created, merged, transitioned, suppressed); all
	// when empty.
	Events  []string      `yaml:"events"`
	Timeout conf.Duration `yaml:"timeout"` // per request; 10s when zero
}

// SinkName is the webhook's name in the outbox.
func (w Webhook) SinkName() string {
	if w.Name != "" {
		return w.Name
	}
	return "webhook:" + w.URL
}

// Secret reads the webhook's key from its environment variable (through
// lookup) or file. A missing or empty secret is an error naming the field.
func (w Webhook) Secret(field string, lookup func(string) (string, bool)) ([]byte, error) {
	var errs conf.Errors
	if w.SecretEnv != "" {
		if v, ok := lookup(w.SecretEnv); ok && v != "" {
			return []byte(v), nil
		}
		errs.Add(field+".secret_env", w.SecretEnv, "the name of a set, non-empty environment variable")
		return nil, errs
	}
	b, err := os.ReadFile(w.SecretFile)
	if err == nil && len(strings.TrimSpace(string(b))) > 0 {
		// A trailing newline from an editor is not part of the key.
		return []byte(strings.TrimRight(string(b), "\r\n")), nil
	}
	errs.Add(field+".secret_file", w.SecretFile, "a readable, non-empty file")
	return nil, errs
}

// MQTT is the broker case events are published to.
type MQTT struct {
	Name        string `yaml:"name"`         // "mqtt:" + broker when empty
	Broker      string `yaml:"broker"`       // tcp://host:1883 or ssl://host:8883
	TopicPrefix string `yaml:"topic_prefix"` // events go to <prefix>/cases/<event>
	QoS         int    `yaml:"qos"`          // 1 or 2
	// ClientID must differ between replicas; hostname and a random
	// suffix when empty.
	ClientID    string        `yaml:"client_id"`
	Username    string        `yaml:"username"`
	PasswordEnv string        `yaml:"password_env"`
	Events      []string      `yaml:"events"`
	Timeout     conf.Duration `yaml:"timeout"`
}

// SinkName is the broker's name in the outbox.
func (m MQTT) SinkName() string {
	if m.Name != "" {
		return m.Name
	}
	return "mqtt:" + m.Broker
}

// Retry is the back-off between delivery attempts.
type Retry struct {
	Base conf.Duration `yaml:"base"` // first delay
	Max  conf.Duration `yaml:"max"`  // cap
}

func defaultNotify() Notify {
	return Notify{Retry: Retry{Base: conf.Duration(time.Second), Max: conf.Duration(5 * time.Minute)}}
}

// Enabled reports whether any sink is configured.
func (n Notify) Enabled() bool { return len(n.Webhooks) > 0 || n.MQTT != nil }

func (n Notify) validate(errs *conf.Errors) {
	names := map[string]bool{}
	unique := func(field, name string) {
		if names[name] {
			errs.Add(field, name, "a name no other webhook or broker has")
		}
		names[name] = true
	}
	for i, w := range n.Webhooks {
		f := fmt.Sprintf("notify.webhooks[%d]", i)
		if u, err := url.Parse(w.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs.Add(f+".url", w.URL, "an http:// or https:// URL")
		}
		if (w.SecretEnv == "") == (w.SecretFile == "") {
			errs.Add(f+".secret_env", w.SecretEnv, "exactly one of secret_env and secret_file")
		}
		checkEvents(errs, f+".events", w.Events)
		if t := w.Timeout.D(); t < 0 || t > 5*time.Minute {
			errs.Add(f+".timeout", w.Timeout.String(), "a duration up to 5m, e.g. 10s (0 for 10s)")
		}
		unique(f+".name", w.SinkName())
	}
	if m := n.MQTT; m != nil {
		if u, err := url.Parse(m.Broker); err != nil || !slices.Contains([]string{"tcp", "ssl", "tls", "mqtt", "mqtts", "ws", "wss"}, u.Scheme) || u.Host == "" {
			errs.Add("notify.mqtt.broker", m.Broker, "a broker URL such as tcp://127.0.0.1:1883 or ssl://broker:8883")
		}
		if m.TopicPrefix == "" || strings.ContainsAny(m.TopicPrefix, "#+") {
			errs.Add("notify.mqtt.topic_prefix", m.TopicPrefix, "a topic without wildcards, e.g. xiuhua")
		}
		if m.QoS != 1 && m.QoS != 2 {
			errs.Add("notify.mqtt.qos", m.QoS, "1 or 2 (at least once)")
		}
		checkEvents(errs, "notify.mqtt.events", m.Events)
		if t := m.Timeout.D(); t < 0 || t > 5*time.Minute {
			errs.Add("notify.mqtt.timeout", m.Timeout.String(), "a duration up to 5m, e.g. 10s (0 for 10s)")
		}
		unique("notify.mqtt.name", m.SinkName())
	}
	if b := n.Retry.Base.D(); b <= 0 || b > time.Hour {
		errs.Add("notify.retry.base", n.Retry.Base.String(), "a positive duration up to 1h, e.g. 1s")
	}
	if m := n.Retry.Max.D(); m < n.Retry.Base.D() || m > 24*time.Hour {
		errs.Add("notify.retry.max", n.Retry.Max.String(), "a duration from notify.retry.base up to 24h, e.g. 5m")
	}
}

func checkEvents(errs *conf.Errors, field string, events []string) {
	for i, e := range events {
		if !slices.Contains(cases.EventKinds, e) {
			errs.Add(fmt.Sprintf("%s[%d]", field, i), e, strings.Join(cases.EventKinds, ", "))
		}
	}
}
