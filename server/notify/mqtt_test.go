package notify_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/notify"
)

// broker is the test machine's Mosquitto. Like PostgreSQL it is part of
// the test set-up: a test that cannot reach it fails, never skips.
const broker = "127.0.0.1:1883"

func needBroker(t *testing.T) {
	t.Helper()
	c, err := net.DialTimeout("tcp", broker, 5*time.Second)
	if err != nil {
		t.Fatalf("MQTT broker unreachable at %s (%v): start Mosquitto there (apt-get install mosquitto)", broker, err)
	}
	c.Close()
}

type received struct {
	topic    string
	payload  []byte
	retained bool
}

func TestMQTTPublishesCaseEvents(t *testing.T) {
	needBroker(t)
	var b [6]byte
	_, _ = rand.Read(b[:])
	prefix := "xiuhua-test-" + hex.EncodeToString(b[:])

	// Subscribe first: the events are not retained.
	got := make(chan received, 16)
	sub := paho.NewClient(paho.NewClientOptions().AddBroker("tcp://" + broker).SetClientID(prefix + "-sub"))
	tok := sub.Connect()
	require.True(t, tok.WaitTimeout(10*time.Second), "connect to the broker")
	require.NoError(t, tok.Error())
	defer sub.Disconnect(100)
	tok = sub.Subscribe(prefix+"/cases/#", 1, func(_ paho.Client, m paho.Message) {
		got <- received{topic: m.Topic(), payload: m.Payload(), retained: m.Retained()}
	})
	require.True(t, tok.WaitTimeout(10*time.Second), "subscribe")
	require.NoError(t, tok.Error())

	sink := notify.NewMQTT(notify.MQTTOptions{Name: "mqtt", Broker: "tcp://" + broker, TopicPrefix: prefix, QoS: 1,
		ClientID: prefix + "-pub", Log: quietLog()})
	defer sink.Close()
	router := notify.NewRouter([]notify.Route{{Sink: sink, Events: []string{cases.EventCreated}}})
	st := openSQLite(t, tempDB(t))
	defer st.Close()
	cfg := cases.DefaultConfig()
	cfg.Events = router
	svc := cases.New(st, cfg)
	ids := record(t, svc, "m", 1)
	// Not routed to MQTT: only created events are.
	_, err := svc.Transition(context.Background(), cases.Request{CaseID: ids[0], To: cases.StatusFiled, Actor: "li", Role: "reviewer"})
	require.NoError(t, err)

	d := &notify.Dispatcher{Store: st, Sinks: router.Sinks(), Poll: 10 * time.Millisecond, Backoff: fastRetry,
		Metrics: notify.NewMetrics(prometheus.NewRegistry()), Log: quietLog()}
	run(t, d)

	select {
	case m := <-got:
		require.Equal(t, prefix+"/cases/created", m.topic)
		require.False(t, m.retained)
		var e cases.Event
		require.NoError(t, json.Unmarshal(m.payload, &e))
		require.Equal(t, cases.EventCreated, e.Event)
		require.Equal(t, ids[0], e.Case.ID)
		require.Equal(t, "demo_linger", e.Case.ViolationType)
		require.Equal(t, &cases.EventGeo{Lat: 31.23, Lon: 121.47}, e.Case.Location)
		require.Len(t, e.ID, 36)
	case <-time.After(30 * time.Second):
		t.Fatal("no MQTT message within 30 s")
	}
	waitFor(t, "delivery recorded", func() bool {
		n, err := st.PendingOutbox(context.Background())
		return err == nil && n["mqtt"] == 0
	})
	select {
	case m := <-got:
		t.Fatalf("unexpected second message on %s", m.topic)
	default:
	}
}
