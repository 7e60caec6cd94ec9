package config

import (
	"fmt"

	"testing"

	"github.com/stretchr/testify/require"
)

func TestWebTilesURL(t *testing.T) {
	const msg = "web.tiles_url: invalid value %q: allowed: empty, or an http(s) URL template with {z}, {x} and {y}, e.g. https://tiles.example.cn/{z}/{x}/{y}.png"
	for _, tc := range []struct {
		url string
		ok  bool
	}{
		{"", true},
		{"https://tiles.example.cn/{z}/{x}/{y}.png", true},
		{"http://10.0.0.5:8080/tiles/{z}/{y}/{x}", true},
		{"https://tiles.example.cn/{z}/{x}.png", false},
		{"ftp://tiles.example.cn/{z}/{x}/{y}.png", false},
		{"/tiles/{z}/{x}/{y}.png", false},
		{"javascript:alert(1)//{z}{x}{y}", false},
	} {
		t.Run(tc.url, func(t *testing.T) {
			cfg := Default()
			cfg.Web.TilesURL = tc.url
			err := cfg.Validate()
			if tc.ok {
				require.NoError(t, err)
				return
			}
			require.EqualError(t, err, fmt.Sprintf(msg, tc.url))
		})
	}
}
