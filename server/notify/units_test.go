package notify_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/notify"
)

func TestSignVerify(t *testing.T) {
	body := []byte(`{"id":"1"}`)
	sig := notify.Sign([]byte("k"), "1700000000", body)
	// Fixed vector: echo -n '1700000000.{"id":"1"}' | openssl dgst -sha256 -hmac k
	require.Equal(t, "sha256=8e4d2e46d941e016f0a5cb0474f5dec3509be60cea9237f805fea6fa18ab5c70", sig)
	for _, tc := range []struct {
		name            string
		secret, ts, sig string
		body            string
		ok              bool
	}{
		{"good", "k", "1700000000", sig, `{"id":"1"}`, true},
		{"other secret", "x", "1700000000", sig, `{"id":"1"}`, false},
		{"other time", "k", "1700000001", sig, `{"id":"1"}`, false},
		{"other body", "k", "1700000000", sig, `{"id":"2"}`, false},
		{"no prefix", "k", "1700000000", sig[len("sha256="):], `{"id":"1"}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.ok, notify.Verify([]byte(tc.secret), tc.ts, []byte(tc.body), tc.sig))
		})
	}
}

func TestBackoff(t *testing.T) {
	b := notify.Backoff{Base: time.Second, Max: 10 * time.Second}
	for _, tc := range []struct {
		attempt  int
		min, max time.Duration
	}{
		{1, 500 * time.Millisecond, time.Second},
		{2, time.Second, 2 * time.Second},
		{4, 4 * time.Second, 8 * time.Second},
		{5, 5 * time.Second, 10 * time.Second},
		{60, 5 * time.Second, 10 * time.Second},
	} {
		for range 50 {
			d := b.Delay(tc.attempt)
			require.GreaterOrEqual(t, d, tc.min, "attempt %d", tc.attempt)
			require.LessOrEqual(t, d, tc.max, "attempt %d", tc.attempt)
		}
	}
}

func TestRouter(t *testing.T) {
	a := notify.NewWebhook("a", "http://127.0.0.1:1/", nil, 0)
	b := notify.NewWebhook("b", "http://127.0.0.1:1/", nil, 0)
	r := notify.NewRouter([]notify.Route{{Sink: a}, {Sink: b, Events: []string{"transitioned"}}})
	require.Equal(t, []string{"a"}, r.SinksFor("created"))
	require.Equal(t, []string{"a", "b"}, r.SinksFor("transitioned"))
	require.Len(t, r.Sinks(), 2)
}
