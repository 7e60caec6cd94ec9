package conf

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

type sample struct {
	Name  string   `yaml:"name"`
	Every Duration `yaml:"every"`
}

func TestDecode(t *testing.T) {
	cases := []struct {
		name, yaml string
		want       sample
		wantErr    string
	}{
		{"empty keeps defaults", "", sample{Name: "def", Every: Duration(time.Second)}, ""},
		{"values", "name: x\nevery: 5m\n", sample{Name: "x", Every: Duration(5 * time.Minute)}, ""},
		{"unknown key", "nmae: x\n", sample{}, "field nmae not found"},
		{"bad duration", "every: soon\n", sample{}, `invalid duration "soon"`},
		{"duration not a string", "every: [1]\n", sample{}, "duration must be a string"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := sample{Name: "def", Every: Duration(time.Second)}
			err := Decode([]byte(tc.yaml), &got)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestErrorsNameFieldValueAndAllowed(t *testing.T) {
	var errs Errors
	require.NoError(t, errs.Err())
	errs.Add("cameras[0].url", "ftp://x", "an rtsp:// URL")
	errs.Add("threads", -1, "0 to 256")
	errs.Add("cameras", nil, "at least one camera")
	err := errs.Err()
	require.EqualError(t, err, "cameras[0].url: invalid value \"ftp://x\": allowed: an rtsp:// URL\n"+
		"threads: invalid value -1: allowed: 0 to 256\n"+
		"cameras: invalid value (empty): allowed: at least one camera")
	var fe *FieldError
	require.True(t, errors.As(err, &fe))
	require.Equal(t, "cameras[0].url", fe.Field)
}

func TestLoadFileMissing(t *testing.T) {
	var s sample
	require.ErrorContains(t, LoadFile("/nonexistent/x.yaml", &s), `read config "/nonexistent/x.yaml"`)
}
