package config

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/internal/conf"
)

func TestEnforcementPoliciesResolve(t *testing.T) {
	c, err := Load("testdata/warn_first.yml")
	require.NoError(t, err)
	cam1, cam2 := c.Cameras[0], c.Cameras[1]
	rules1, rules2 := cam1.Zones[0].Rules, cam2.Zones[0].Rules
	cases := []struct {
		name string
		rule Rule
		want Policy
	}{
		{"the type's policy", rules1[0], Policy{Mode: EnforceWarnFirst, Grace: dur(10 * time.Minute), Warnings: 1,
			QuietHours: []string{"22:00-07:00"}, Audio: "testdata/warn/street_vending.wav"}},
		{"a rule overrides grace and warnings", rules1[1], Policy{Mode: EnforceWarnFirst, Grace: dur(30 * time.Minute), Warnings: 2,
			QuietHours: []string{"22:00-07:00"}, Audio: "testdata/warn/street_vending.wav"}},
		{"a type without policy files", rules1[2], DefaultPolicy()},
		{"http speaker needs no audio", rules2[0], Policy{Mode: EnforceWarnFirst, Grace: dur(5 * time.Minute), Warnings: 1}},
		{"a rule turns warn_first off", rules2[1], Policy{Mode: EnforceFile, Grace: dur(5 * time.Minute), Warnings: 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, c.PolicyFor(tc.rule))
		})
	}
	require.Equal(t, SpeakerBackChannel, cam1.SpeakerKind())
	require.Equal(t, SpeakerHTTP, cam2.SpeakerKind())
	require.Equal(t, "Bearer speaker-token", cam2.Speaker.Headers["Authorization"])
	require.Equal(t, 4, cam2.Speaker.Attempts)
}

func TestDefaultPolicyFiles(t *testing.T) {
	c, err := Load("testdata/good.yml")
	require.NoError(t, err)
	require.Equal(t, EnforceFile, c.PolicyFor(c.Cameras[0].Zones[0].Rules[0]).Mode)
}

func dur(d time.Duration) conf.Duration { return conf.Duration(d) }

// The example in docs/warn-first.md must load: docs must be true.
func TestWarnFirstDocExampleLoads(t *testing.T) {
	doc, err := os.ReadFile("../../docs/warn-first.md")
	require.NoError(t, err)
	_, rest, ok := strings.Cut(string(doc), "```yaml\n")
	require.True(t, ok, "no yaml block")
	example, _, ok := strings.Cut(rest, "```")
	require.True(t, ok)
	wav, err := filepath.Abs("testdata/warn/street_vending.wav")
	require.NoError(t, err)
	example = regexp.MustCompile(`/etc/xiuhua/warn/\w+\.wav`).ReplaceAllString(example, wav)
	path := filepath.Join(t.TempDir(), "edge.yml")
	require.NoError(t, os.WriteFile(path, []byte("device: {id: edge-1}\n"+example), 0o600))
	c, err := Load(path)
	require.NoError(t, err)
	require.Equal(t, EnforceWarnFirst, c.PolicyFor(c.Cameras[0].Zones[0].Rules[0]).Mode)
}
