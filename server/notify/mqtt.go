package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
)

// MQTTOptions configure the MQTT sink.
type MQTTOptions struct {
	Name        string // identifies the sink in the outbox
	Broker      string // tcp://host:1883, ssl://host:8883
	TopicPrefix string // events go to <prefix>/cases/<event>
	QoS         byte   // 0, 1 or 2; 1 for at least once
	ClientID    string
	Username    string
	Password    string
	Timeout     time.Duration // per publish; 10s when zero
	Log         *slog.Logger
}

// MQTT publishes events to a broker, not retained: a late subscriber
// should not take an old event for a new one.
type MQTT struct {
	opts   MQTTOptions
	client paho.Client
}

var _ Sink = (*MQTT)(nil)

// NewMQTT starts connecting to the broker and returns at once: a broker
// that is down delays delivery, it does not stop the server. paho keeps
// reconnecting; until it is connected, Deliver fails and the event waits.
func NewMQTT(o MQTTOptions) *MQTT {
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	log := o.Log.With("component", "notify", "sink", o.Name)
	po := paho.NewClientOptions().
		AddBroker(o.Broker).
		SetClientID(o.ClientID).
		SetUsername(o.Username).
		SetPassword(o.Password).
		SetAutoReconnect(true).
		SetConnectRetry(true).
		SetConnectRetryInterval(2 * time.Second).
		SetMaxReconnectInterval(time.Minute).
		SetConnectTimeout(o.Timeout).
		SetOnConnectHandler(func(paho.Client) { log.Info("MQTT connected", "broker", o.Broker) }).
		SetConnectionLostHandler(func(_ paho.Client, err error) { log.Warn("MQTT connection lost", "err", err) })
	c := paho.NewClient(po)
	c.Connect() // with ConnectRetry the token completes only once connected
	return &MQTT{opts: o, client: c}
}

// Name implements Sink.
func (m *MQTT) Name() string { return m.opts.Name }

// Topic is where events of kind go.
func (m *MQTT) Topic(kind string) string {
	return strings.TrimSuffix(m.opts.TopicPrefix, "/") + "/cases/" + kind
}

// Deliver implements Sink. With QoS 1 the token completes on the broker's
// PUBACK, so nil means the broker has the message.
func (m *MQTT) Deliver(ctx context.Context, msg Message) error {
	if !m.client.IsConnectionOpen() {
		return errors.New("mqtt: not connected to " + m.opts.Broker)
	}
	tok := m.client.Publish(m.Topic(msg.Kind), m.opts.QoS, false, msg.Payload)
	timer := time.NewTimer(m.opts.Timeout)
	defer timer.Stop()
	select {
	case <-tok.Done():
	case <-timer.C:
		return fmt.Errorf("mqtt: publish to %s: no acknowledgement in %s", m.opts.Broker, m.opts.Timeout)
	case <-ctx.Done():
		return fmt.Errorf("mqtt: publish: %w", ctx.Err())
	}
	if err := tok.Error(); err != nil {
		return fmt.Errorf("mqtt: publish to %s: %w", m.opts.Broker, err)
	}
	return nil
}

// Close implements Sink: it waits briefly for publishes in flight.
func (m *MQTT) Close() { m.client.Disconnect(250) }
