package logging

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNew(t *testing.T) {
	cases := []struct {
		level, format string
		wantErr       string
		wantOut       string
	}{
		{"info", "text", "", "msg=hello"},
		{"debug", "json", "", `"msg":"hello"`},
		{"loud", "text", `log level "loud"`, ""},
		{"info", "xml", `log format "xml"`, ""},
	}
	for _, tc := range cases {
		t.Run(tc.level+"/"+tc.format, func(t *testing.T) {
			var buf bytes.Buffer
			l, err := New(&buf, tc.level, tc.format)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			l.Info("hello")
			require.Contains(t, buf.String(), tc.wantOut)
		})
	}
}
