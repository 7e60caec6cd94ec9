package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	neturl "net/url"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// The slice of the server's JSON API the end-to-end tests read, decoded
// here independently of server/web so that a change of the wire format
// shows up as a failure.
type apiEvidence struct {
	Name        string `json:"name"`
	Kind        string `json:"kind"`
	ContentType string `json:"content_type"`
	SHA256      string `json:"sha256"`
	URL         string `json:"url"`
	Size        int64  `json:"size"`
}

type apiCase struct {
	ID            string `json:"id"`
	Status        string `json:"status"`
	ViolationType string `json:"violation_type"`
	CameraID      string `json:"camera_id"`
	RuleID        string `json:"rule_id"`
	ReportCount   int    `json:"report_count"`
}

type apiReport struct {
	EventID           string        `json:"event_id"`
	DwellSeconds      float64       `json:"dwell_seconds"`
	SignatureVerified bool          `json:"signature_verified"`
	Evidence          []apiEvidence `json:"evidence"`
	Model             struct {
		Name, SHA256 string
	} `json:"model"`
}

type apiCaseList struct {
	Cases      []apiCase `json:"cases"`
	NextCursor string    `json:"next_cursor"`
}

type apiCaseDetail struct {
	Case    apiCase     `json:"case"`
	Reports []apiReport `json:"reports"`
}

// apiTokens holds an API token per server address ("host:port"); the
// requests below send it, as every /api/v1 route and /evidence need one.
var apiTokens sync.Map

// httpClients holds an *http.Client per server address for servers that
// need one (HTTPS with a private CA); others get http.DefaultClient.
var httpClients sync.Map

func clientFor(url string) *http.Client {
	if u, err := neturl.Parse(url); err == nil {
		if c, ok := httpClients.Load(u.Host); ok {
			return c.(*http.Client)
		}
	}
	return http.DefaultClient
}

// authGet gets url with the API token of its server.
func authGet(t *testing.T, url string) (*http.Response, error) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	if u, err := neturl.Parse(url); err == nil {
		if tok, ok := apiTokens.Load(u.Host); ok {
			req.Header.Set("Authorization", "Bearer "+tok.(string))
		}
	}
	return clientFor(url).Do(req)
}

func getJSON(t *testing.T, url string, out any) {
	t.Helper()
	resp, err := authGet(t, url)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "GET %s: %s", url, body)
	require.NoError(t, json.Unmarshal(body, out), "GET %s: %s", url, body)
}

// allCases walks the cursor pagination of /api/v1/cases.
func allCases(t *testing.T, base string) []apiCase {
	t.Helper()
	var out []apiCase
	url := base + "/api/v1/cases?limit=100"
	for {
		var page apiCaseList
		getJSON(t, url, &page)
		out = append(out, page.Cases...)
		if page.NextCursor == "" {
			return out
		}
		url = base + "/api/v1/cases?limit=100&cursor=" + page.NextCursor
	}
}
