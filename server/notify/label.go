package notify

import (
	"net/url"
	"strings"
)

// SinkLabel is how a sink's name appears in metrics (and so on /metrics,
// which is open to the scraper): a name that is a URL, as the default name
// of an unnamed webhook is ("webhook:https://user:pass@host/x?token=…"),
// loses its user, password, query and fragment, where credentials hide.
// The name itself stays the key of the sink's events in the outbox.
func SinkLabel(name string) string {
	kind, rest, ok := strings.Cut(name, ":")
	if !ok || !strings.Contains(rest, "//") {
		return name
	}
	u, err := url.Parse(rest)
	if err != nil || u.Host == "" {
		// Unparseable: keep only the kind rather than risk a secret.
		return kind + ":(unparseable URL)"
	}
	u.User, u.RawQuery, u.Fragment, u.ForceQuery = nil, "", "", false
	return kind + ":" + u.String()
}
