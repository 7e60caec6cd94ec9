package warn

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/xiuhua/xiuhua/internal/backoff"
)

// HTTPSpeaker triggers a standalone IP speaker (a street loudspeaker, a
// speaker controller) with one HTTP request a warning. The speaker plays
// its own stored message; the request says which camera and violation
// type, as JSON: {"camera": "...", "type": "...", "time": "RFC 3339"}.
type HTTPSpeaker struct {
	URL    string
	Method string      // default POST
	Header http.Header // e.g. Authorization; Content-Type is set to JSON
	// Timeout bounds each attempt; default 5 s.
	Timeout time.Duration
	// Attempts is the most requests a warning makes; default 3. Network
	// errors, 5xx and 429 are retried; other answers are final.
	Attempts int
	// Backoff spaces the retries; default 500 ms doubling to 5 s.
	Backoff backoff.Backoff
	Client  *http.Client // default http.DefaultClient (Timeout applies per attempt)
	Metrics *Metrics
	Logger  *slog.Logger
}

// speakerBody is the JSON a speaker receives.
type speakerBody struct {
	Camera string    `json:"camera"`
	Type   string    `json:"type"`
	Time   time.Time `json:"time"`
}

// errFinal marks an answer that retrying will not change.
var errFinal = errors.New("not retried")

// Play sends the request, retrying with back-off, and returns nil once the
// speaker answered 2xx.
func (s *HTTPSpeaker) Play(ctx context.Context, w Warning) error {
	start := time.Now()
	body, err := json.Marshal(speakerBody{Camera: w.Camera, Type: w.Type, Time: w.At.UTC()})
	if err != nil {
		return fmt.Errorf("camera %s: encode speaker request: %w", w.Camera, err)
	}
	b := s.Backoff
	if b.Min <= 0 || b.Max <= 0 {
		b = backoff.Backoff{Min: 500 * time.Millisecond, Max: 5 * time.Second}
	}
	attempts := max(1, s.Attempts)
	if s.Attempts == 0 {
		attempts = 3
	}
	for i := 1; ; i++ {
		err = s.attempt(ctx, w.Camera, body)
		if err == nil {
			if s.Metrics != nil {
				s.Metrics.startDelay.WithLabelValues("http").Observe(time.Since(start).Seconds())
			}
			s.Metrics.played(w.Camera, "http", outcomePlayed)
			return nil
		}
		err = fmt.Errorf("camera %s: speaker %s, attempt %d of %d: %w", w.Camera, s.URL, i, attempts, err)
		if ctx.Err() != nil {
			s.Metrics.played(w.Camera, "http", outcomeCanceled)
			return err
		}
		if errors.Is(err, errFinal) || i == attempts {
			break
		}
		d := b.Next()
		s.logger().Warn("speaker request failed; retrying", "camera", w.Camera, "in", d, "err", err)
		if !backoff.Wait(ctx, d) {
			s.Metrics.played(w.Camera, "http", outcomeCanceled)
			return fmt.Errorf("%w (then %w)", err, ctx.Err())
		}
	}
	s.logger().Error("voice warning failed", "camera", w.Camera, "type", w.Type, "err", err)
	s.Metrics.played(w.Camera, "http", outcomeFailed)
	return err
}

// attempt makes one request within Timeout.
func (s *HTTPSpeaker) attempt(ctx context.Context, camera string, body []byte) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout())
	defer cancel()
	method := s.Method
	if method == "" {
		method = http.MethodPost
	}
	req, err := http.NewRequestWithContext(ctx, method, s.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%w: build request: %w", errFinal, err)
	}
	for k, v := range s.Header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	client := s.Client
	if client == nil {
		client = http.DefaultClient
	}
	res, err := client.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			s.count(camera, "timeout")
		} else {
			s.count(camera, "error")
		}
		return err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10)) // lets the connection be reused
	s.count(camera, strconv.Itoa(res.StatusCode/100)+"xx")
	switch {
	case res.StatusCode/100 == 2:
		return nil
	case res.StatusCode >= 500 || res.StatusCode == http.StatusTooManyRequests:
		return fmt.Errorf("answer %s", res.Status)
	default:
		return fmt.Errorf("%w: answer %s", errFinal, res.Status)
	}
}

func (s *HTTPSpeaker) count(camera, result string) {
	if s.Metrics != nil {
		s.Metrics.attempts.WithLabelValues(camera, result).Inc()
	}
}

func (s *HTTPSpeaker) timeout() time.Duration {
	if s.Timeout > 0 {
		return s.Timeout
	}
	return 5 * time.Second
}

func (s *HTTPSpeaker) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}
