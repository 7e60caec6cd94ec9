package web

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestClockNamesTheZone(t *testing.T) {
	load := func(name string) *time.Location {
		loc, err := time.LoadLocation(name)
		require.NoError(t, err)
		return loc
	}
	at := time.Date(2026, 12, 6, 12, 52, 5, 0, time.UTC)
	for _, tc := range []struct {
		loc  *time.Location
		lang string
		want string
	}{
		{load("Asia/Shanghai"), LangZH, "2026-12-06 20:52:05 (北京时间)"},
		{load("Asia/Shanghai"), LangEN, "2026-12-06 20:52:05 (Beijing time)"},
		{load("Europe/Berlin"), LangZH, "2026-12-06 13:52:05 (CET+01:00)"},
		{load("UTC"), LangZH, "2026-12-06 12:52:05 (UTC+00:00)"},
		{time.FixedZone("", 8*3600), LangZH, "2026-12-06 20:52:05 (UTC+08:00)"},
		{load("Asia/Kolkata"), LangEN, "2026-12-06 18:22:05 (IST+05:30)"},
	} {
		p := &pageBase{Lang: tc.lang, loc: tc.loc}
		require.Equal(t, tc.want, p.Clock(at), tc.loc.String())
	}
	require.Equal(t, "–", (&pageBase{}).Clock(time.Time{}))
}
