package notify

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// DefaultWebhookTimeout bounds one webhook request when none is set.
const DefaultWebhookTimeout = 10 * time.Second

// Webhook POSTs events as JSON to a URL, signed with a shared secret. Any
// 2xx answer is delivery; anything else, or no answer in time, is retried.
type Webhook struct {
	name    string
	url     string
	secret  []byte
	timeout time.Duration
	client  *http.Client
}

var _ Sink = (*Webhook)(nil)

// NewWebhook returns a webhook sink; name identifies it in the outbox.
func NewWebhook(name, url string, secret []byte, timeout time.Duration) *Webhook {
	if timeout <= 0 {
		timeout = DefaultWebhookTimeout
	}
	return &Webhook{name: name, url: url, secret: secret, timeout: timeout,
		client: &http.Client{
			// A redirect would resend the signed body elsewhere; the
			// receiver's configured URL is the one to use.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}}
}

// Name implements Sink.
func (w *Webhook) Name() string { return w.name }

// Deliver implements Sink.
func (w *Webhook) Deliver(ctx context.Context, m Message) error {
	ctx, cancel := context.WithTimeout(ctx, w.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(m.Payload))
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "xiuhua-server")
	req.Header.Set(HeaderEventID, m.ID)
	req.Header.Set(HeaderEvent, m.Kind)
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderSignature, Sign(w.secret, ts, m.Payload))
	resp, err := w.client.Do(req)
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	defer resp.Body.Close()
	// Read a little so the connection can be reused; the answer itself
	// does not matter beyond its status.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhook: answered %s", resp.Status)
	}
	return nil
}

// Close implements Sink.
func (w *Webhook) Close() { w.client.CloseIdleConnections() }
