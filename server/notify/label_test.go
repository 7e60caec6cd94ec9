package notify

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSinkLabel(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"ops-hook", "ops-hook"},
		{"webhook:https://host.example/x", "webhook:https://host.example/x"},
		{"webhook:https://u:p@host.example/x?token=s#f", "webhook:https://host.example/x"},
		{"mqtt:tcp://user:pw@broker:1883", "mqtt:tcp://broker:1883"},
		{"webhook:http://u:p@[::1", "webhook:(unparseable URL)"},
	} {
		require.Equal(t, tc.want, SinkLabel(tc.name), tc.name)
	}
}

func FuzzSinkLabel(f *testing.F) {
	f.Add("webhook:https://u:secret@h/x?token=secret")
	f.Add("mqtt:tcp://b:1883")
	f.Fuzz(func(t *testing.T, user string) {
		if user == "" || strings.ContainsAny(user, ":@/?#%[]") {
			return
		}
		got := SinkLabel("webhook:https://" + user + ":" + user + "@host.example/p?k=" + user)
		require.Contains(t, []string{"webhook:https://host.example/p", "webhook:(unparseable URL)"}, got)
	})
}
