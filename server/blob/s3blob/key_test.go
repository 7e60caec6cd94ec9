package s3blob

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const sha = "695e750a5d5754bb5a8d5325643b59282191a7e7a564e435a415fd3c578eab14"

func TestParseKey(t *testing.T) {
	tests := []struct {
		prefix, key string
		ok          bool
	}{
		{"", "69/" + sha, true},
		{"xiuhua/", "xiuhua/69/" + sha, true},
		{"xiuhua/", "69/" + sha, false},           // another prefix
		{"", "70/" + sha, false},                  // wrong shard
		{"", "69/" + strings.ToUpper(sha), false}, // not lowercase
		{"", sha, false},                          // no shard
		{"", "69/" + sha + "/x", false},
		{"", "ready", false},
	}
	for _, tc := range tests {
		t.Run(tc.key, func(t *testing.T) {
			got, ok := parseKey(tc.prefix, tc.key)
			require.Equal(t, tc.ok, ok)
			if ok {
				require.Equal(t, sha, got)
			}
		})
	}
}

// A key parses only when it is exactly what key() makes of its sha256.
func FuzzParseKey(f *testing.F) {
	f.Add("xiuhua/", "xiuhua/69/"+sha)
	f.Add("", "69/"+sha)
	f.Add("p/", "p/69/"+sha+"/")
	f.Fuzz(func(t *testing.T, prefix, key string) {
		got, ok := parseKey(prefix, key)
		if !ok {
			return
		}
		s := &Store{prefix: prefix}
		want, err := s.key(got)
		if err != nil || want != key {
			t.Fatalf("parseKey(%q, %q) = %q, but key() gives %q (%v)", prefix, key, got, want, err)
		}
	})
}
