package warn

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/internal/backoff"
)

// speakerServer answers with statuses in turn (the last one repeats),
// waiting hang first on each request, and keeps the bodies it got.
type speakerServer struct {
	mu       sync.Mutex
	statuses []int
	hang     time.Duration
	bodies   []speakerBody
	headers  []http.Header
}

func (s *speakerServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var b speakerBody
	_ = json.NewDecoder(r.Body).Decode(&b)
	s.mu.Lock()
	s.bodies = append(s.bodies, b)
	s.headers = append(s.headers, r.Header.Clone())
	code := s.statuses[min(len(s.bodies), len(s.statuses))-1]
	s.mu.Unlock()
	if s.hang > 0 {
		select {
		case <-r.Context().Done():
			return
		case <-time.After(s.hang):
		}
	}
	w.WriteHeader(code)
}

func (s *speakerServer) requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.bodies)
}

func TestHTTPSpeaker(t *testing.T) {
	cases := []struct {
		name     string
		statuses []int
		hang     time.Duration
		attempts int
		wantReqs int
		wantErr  string
		outcome  string
	}{
		{"ok at once", []int{204}, 0, 3, 1, "", outcomePlayed},
		{"retries 503 then ok", []int{503, 503, 200}, 0, 3, 3, "", outcomePlayed},
		{"429 is retried", []int{429, 200}, 0, 3, 2, "", outcomePlayed},
		{"400 is final", []int{400}, 0, 3, 1, "attempt 1 of 3: not retried: answer 400 Bad Request", outcomeFailed},
		{"gives up after attempts", []int{500}, 0, 2, 2, "attempt 2 of 2: answer 500 Internal Server Error", outcomeFailed},
		{"each attempt times out", []int{200}, 10 * time.Second, 2, 2, "attempt 2 of 2: Post", outcomeFailed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ss := &speakerServer{statuses: tc.statuses, hang: tc.hang}
			hs := httptest.NewServer(ss)
			t.Cleanup(hs.Close)
			m := NewMetrics(nil)
			sp := &HTTPSpeaker{
				URL: hs.URL + "/play", Header: http.Header{"Authorization": {"Bearer t"}},
				Timeout: 30 * time.Second, Attempts: tc.attempts,
				Backoff: backoff.Backoff{Min: 10 * time.Millisecond, Max: 20 * time.Millisecond},
				Metrics: m, Logger: slog.New(slog.DiscardHandler),
			}
			if tc.hang > 0 {
				sp.Timeout = 200 * time.Millisecond
			}
			at := time.Date(2026, 12, 6, 8, 30, 0, 0, time.UTC)
			err := sp.Play(context.Background(), Warning{Camera: "cam7", Type: "outside_store", At: at})
			if tc.wantErr == "" {
				require.NoError(t, err)
			} else {
				require.ErrorContains(t, err, tc.wantErr)
				require.ErrorContains(t, err, "camera cam7")
			}
			require.Equal(t, tc.wantReqs, ss.requests())
			require.Equal(t, speakerBody{Camera: "cam7", Type: "outside_store", Time: at}, ss.bodies[0])
			require.Equal(t, "Bearer t", ss.headers[0].Get("Authorization"))
			require.Equal(t, "application/json", ss.headers[0].Get("Content-Type"))
			require.Equal(t, 1.0, plays(t, m, "cam7", "http", tc.outcome))
			if tc.hang > 0 {
				require.Equal(t, float64(tc.wantReqs), counter(t, m.attempts.WithLabelValues("cam7", "timeout")))
			}
		})
	}
}

func TestHTTPSpeakerCanceledDuringBackoff(t *testing.T) {
	ss := &speakerServer{statuses: []int{503}}
	hs := httptest.NewServer(ss)
	t.Cleanup(hs.Close)
	m := NewMetrics(nil)
	sp := &HTTPSpeaker{URL: hs.URL, Attempts: 5, Metrics: m, Logger: slog.New(slog.DiscardHandler),
		Backoff: backoff.Backoff{Min: time.Minute, Max: time.Minute}}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for ss.requests() == 0 {
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
	}()
	err := sp.Play(ctx, Warning{Camera: "cam7", Type: "street_laundry"})
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, 1, ss.requests())
	require.Equal(t, 1.0, plays(t, m, "cam7", "http", outcomeCanceled))
}
