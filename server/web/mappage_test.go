package web

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/store"
)

// A city with more open cases than the map draws: every cell still counts
// all of its cases, the page says how many are open in all, and only the
// newest are drawn and listed.
func TestMapPageBounded(t *testing.T) {
	e := newEnvWith(t, func(o *Options) { o.mapPoints = 3 }, nil)
	// Four cases in the first cell, two in the second, one outside every
	// cell: different cameras, so that none joins another's case.
	at := []store.GeoPoint{{Lat: 31.2302, Lon: 121.4702}, {Lat: 31.2304, Lon: 121.4704}, {Lat: 31.2306, Lon: 121.4706},
		{Lat: 31.2308, Lon: 121.4708}, {Lat: 31.2302, Lon: 121.4712}, {Lat: 31.2318, Lon: 121.4728}, {Lat: 31.25, Lon: 121.5}}
	var ids []string
	for i, g := range at {
		ids = append(ids, e.addCase(t, fmt.Sprintf("m-%d", i), func(r *store.Report) {
			r.CameraID = fmt.Sprintf("cam-%d", i)
			r.Location = &g
		}))
	}
	require.Len(t, uniq(ids), len(at), "each report its own case")

	resp, body := e.get(t, "/map")
	require.Equal(t, 200, resp.StatusCode)
	p := string(body)
	require.Contains(t, p, "未结案件 7 件")
	require.Contains(t, p, "图上标注并列出最新 3 件")
	// The newest three drawn and listed, no other.
	for i, id := range ids {
		require.Equal(t, i >= len(ids)-3, strings.Contains(p, `data-case="`+id+`"`), "case %d drawn", i)
		require.Equal(t, i >= len(ids)-3, strings.Contains(p, `href="/cases/`+id+`" translate="no">`), "case %d listed", i)
	}
	open := map[string]int{}
	for _, m := range regexp.MustCompile(`data-cell="(\d+)" data-open="(\d+)"`).FindAllStringSubmatch(p, -1) {
		n, err := strconv.Atoi(m[2])
		require.NoError(t, err)
		open[m[1]] = n
	}
	require.Equal(t, map[string]int{"310101001001": 4, "310101001002": 2, "310101002001": 0}, open, "all open cases counted per cell")
	require.Regexp(t, `class="cell busy l4"[^>]*data-cell="310101001001"`, p, "the busiest cell shaded most")
	require.Regexp(t, `class="cell busy l2"[^>]*data-cell="310101001002"`, p)
	require.Regexp(t, `<text class="n"[^>]*>4</text>`, p, "counts written on the cells")

	_, body = e.get(t, "/map?lang=en")
	require.Contains(t, string(body), "7 open cases · the newest 3 drawn and listed")
}

// A small city's map draws and lists every open case and says nothing of
// a bound.
func TestMapPageSmall(t *testing.T) {
	e := newEnv(t)
	id := e.addCase(t, "s-1", func(r *store.Report) { r.Location = &store.GeoPoint{Lat: 31.2302, Lon: 121.4702} })
	_, body := e.get(t, "/map?lang=en")
	p := string(body)
	require.Contains(t, p, `data-case="`+id+`"`)
	require.Contains(t, p, "1 open cases")
	require.NotContains(t, p, "newest")
	require.Contains(t, p, `data-cell="310101001001" data-open="1"`)
}

func uniq(s []string) map[string]bool {
	m := map[string]bool{}
	for _, v := range s {
		m[v] = true
	}
	return m
}
