package config

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestModelSwapDefaults(t *testing.T) {
	c, err := Load("testdata/good.yml")
	require.NoError(t, err)
	require.Nil(t, c.Model.ExpectInput)
	require.False(t, c.Model.Watch)
	require.Equal(t, 5*time.Second, c.Model.WatchInterval.D())
	require.Equal(t, 5*time.Minute, c.Model.Probation.D())
	require.InDelta(t, 0.2, c.Model.MaxErrorRate, 1e-9)
	require.Equal(t, 20, c.Model.ErrorWindow)
	require.Equal(t, 3, c.Model.Warmup)
}

func TestModelSwapBadValues(t *testing.T) {
	_, err := Load(filepath.Join("testdata", "bad_model_swap.bad.yml"))
	require.Error(t, err)
	for _, want := range []string{
		`model.expect_input.width: invalid value 0: allowed: 1 to 8192 pixels`,
		`model.watch_interval: invalid value "10ms": allowed: a duration of 100ms or more`,
		`model.probation: invalid value "0s": allowed: a positive duration`,
		`model.max_error_rate: invalid value 1.5: allowed: a share of failed inferences above 0, at most 1`,
		`model.error_window: invalid value 0: allowed: 1 to 10000 inferences`,
		`model.warmup: invalid value -1: allowed: 0 to 100 inferences`,
	} {
		require.Contains(t, err.Error(), want)
	}
	require.NotContains(t, err.Error(), "expect_input.height")
}

func TestExampleFilePinsModelInput(t *testing.T) {
	c, err := Load("edge.example.yaml")
	require.NoError(t, err)
	require.Equal(t, &InputSize{Width: 416, Height: 416}, c.Model.ExpectInput)
	require.Equal(t, 5*time.Minute, c.Model.Probation.D())
}
