package place

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/xiuhua/xiuhua/internal/geo"
)

// HookConfig is a reverse-geocoding service: an http(s) URL template with
// {lat} and {lon}, and where in its JSON answer the address is.
type HookConfig struct {
	URL string
	// Field is the answer's path, dot-separated, numbers indexing arrays:
	// result.formatted_address (天地图), regeocode.formatted_address (高德).
	Field string
	// GCJ02 sends GCJ-02 coordinates (高德, 腾讯); else WGS-84.
	GCJ02   bool
	Timeout time.Duration
	// CacheSize bounds the answers kept, by position to about a metre.
	CacheSize int
	Client    *http.Client
}

// maxAnswerBytes bounds a service's answer.
const maxAnswerBytes = 1 << 20

// Hook asks a reverse-geocoding service for addresses, caching answers.
type Hook struct {
	cfg   HookConfig
	mu    sync.Mutex
	cache map[string]string
	order []string // oldest first, for eviction
}

// NewHook returns a Hook; the config has been validated.
func NewHook(cfg HookConfig) *Hook {
	if cfg.Client == nil {
		cfg.Client = &http.Client{}
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 3 * time.Second
	}
	return &Hook{cfg: cfg, cache: map[string]string{}}
}

// Lookup returns the service's address of a WGS-84 position.
func (h *Hook) Lookup(ctx context.Context, lat, lon float64) (string, error) {
	if h.cfg.GCJ02 {
		p := geo.ToGCJ02(geo.Point{Lat: lat, Lon: lon})
		lat, lon = p.Lat, p.Lon
	}
	la, lo := formatCoord(lat), formatCoord(lon)
	key := la[:len(la)-1] + "," + lo[:len(lo)-1] // 1e-5°: about a metre
	h.mu.Lock()
	a, ok := h.cache[key]
	h.mu.Unlock()
	if ok {
		return a, nil
	}
	ctx, cancel := context.WithTimeout(ctx, h.cfg.Timeout)
	defer cancel()
	u := strings.NewReplacer("{lat}", la, "{lon}", lo).Replace(h.cfg.URL)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", fmt.Errorf("address hook: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := h.cfg.Client.Do(req)
	if err != nil {
		return "", fmt.Errorf("address hook: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("address hook: %s answered %s", req.URL.Host, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes+1))
	if err != nil {
		return "", fmt.Errorf("address hook: reading the answer: %w", err)
	}
	if len(body) > maxAnswerBytes {
		return "", fmt.Errorf("address hook: answer over %d bytes", maxAnswerBytes)
	}
	a, err = Field(body, h.cfg.Field)
	if err != nil {
		return "", fmt.Errorf("address hook: %w", err)
	}
	h.remember(key, a)
	return a, nil
}

func (h *Hook) remember(key, a string) {
	if h.cfg.CacheSize <= 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.cache[key]; !ok {
		h.order = append(h.order, key)
	}
	h.cache[key] = a
	for len(h.order) > h.cfg.CacheSize {
		delete(h.cache, h.order[0])
		h.order = h.order[1:]
	}
}

// Field is the non-empty string at a dot path of a JSON document.
func Field(doc []byte, path string) (string, error) {
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		return "", fmt.Errorf("answer is not JSON: %w", err)
	}
	for _, k := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(x) {
				return "", fmt.Errorf("answer has no %s (no element %q)", path, k)
			}
			v = x[i]
		default:
			return "", fmt.Errorf("answer has no %s (nothing at %q)", path, k)
		}
	}
	s, ok := v.(string)
	if !ok || strings.TrimSpace(s) == "" {
		return "", fmt.Errorf("answer has no %s: found %v", path, v)
	}
	return strings.TrimSpace(s), nil
}

func formatCoord(f float64) string { return strconv.FormatFloat(f, 'f', 6, 64) }
