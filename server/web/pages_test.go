package web

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/grid"
	"github.com/xiuhua/xiuhua/server/store"
)

// TestMessageTables: both languages have the same keys, and every key the
// templates, the Go code and the page script use is in them.
func TestMessageTables(t *testing.T) {
	require.Equal(t, messageKeys(messagesZH), messageKeys(messagesEN))
	for k, v := range messagesEN {
		require.NotEmpty(t, v, k)
		require.Equal(t, strings.Count(messagesZH[k], "%"), strings.Count(v, "%"), "%s: the same verbs in both", k)
	}
	used := map[string]bool{}
	tmplKey := regexp.MustCompile(`\.Tf? "([a-z_.]+)"`)
	for _, name := range []string{"layout.html", "cases.html", "case.html", "map.html", "stats.html", "login.html", "models.html"} {
		b, err := assets.ReadFile("assets/" + name)
		require.NoError(t, err)
		for _, m := range tmplKey.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = true
		}
	}
	for _, name := range []string{"app.js", "drafts.js", "notice.js"} {
		js, err := assets.ReadFile("assets/" + name)
		require.NoError(t, err)
		for _, m := range regexp.MustCompile(`\bt\('([a-z_]+)'\)`).FindAllStringSubmatch(string(js), -1) {
			used["js."+m[1]] = true
		}
	}
	for _, s := range cases.Steps {
		used["act."+s.Action] = true
		used["action."+s.Action] = true
		used["js.done_"+s.Action] = true // each success says what was done
	}
	for _, s := range cases.Statuses {
		used["status."+s] = true
	}
	for _, ty := range violationTypes {
		used["type."+ty] = true
	}
	for _, r := range cases.Roles {
		used["role."+r] = true
	}
	for _, k := range []string{"stats.by_type", "stats.by_status", "stats.by_grid", "stats.by_day", "stats.no_cell", "login.wrong", "lang.self", "action.open", "time.beijing"} {
		used[k] = true
	}
	// Keys the Go code passes to tr (the models page's redirect messages).
	src, err := os.ReadFile("models.go")
	require.NoError(t, err)
	for _, m := range regexp.MustCompile(`"(models\.msg_[a-z_]+)"`).FindAllStringSubmatch(string(src), -1) {
		used[m[1]] = true
	}
	require.Greater(t, len(used), 100)
	for k := range used {
		require.Contains(t, messagesZH, k, "message %q is used but not in the tables", k)
	}
}

// fakeLive answers CasesChangedSince from a list, as a database would.
type fakeLive struct{ cases []store.Case }

func (f *fakeLive) CasesChangedSince(_ context.Context, since time.Time, limit int) ([]store.Case, error) {
	var out []store.Case
	for _, c := range f.cases {
		if !c.UpdatedAt.Before(since) && len(out) < limit {
			out = append(out, c)
		}
	}
	return out, nil
}

func TestLivePoller(t *testing.T) {
	t0 := time.Date(2025, 6, 1, 8, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	f := &fakeLive{cases: []store.Case{{ID: "a", Version: 1, ReportCount: 1, UpdatedAt: at(0)}}}
	p := &poller{st: f, seen: map[liveKey]time.Time{}, since: at(0)}
	evs, err := p.poll(context.Background())
	require.NoError(t, err)
	require.Len(t, evs, 1, "what the first poll finds is sent once")
	kinds := func(evs []LiveEvent) []string {
		out := []string{}
		for _, e := range evs {
			out = append(out, e.Kind+":"+e.ID)
		}
		return out
	}
	for _, step := range []struct {
		name   string
		cases  []store.Case
		events []string
	}{
		{"nothing new", nil, []string{}},
		{"a new case", []store.Case{{ID: "b", Version: 1, ReportCount: 1, UpdatedAt: at(2)}}, []string{"created:b"}},
		{"a transition", []store.Case{{ID: "a", Version: 2, ReportCount: 1, UpdatedAt: at(3)}}, []string{"changed:a"}},
		{"a merged report", []store.Case{{ID: "b", Version: 1, ReportCount: 2, UpdatedAt: at(4)}}, []string{"changed:b"}},
		// Another replica's commit that lands late, with an earlier time,
		// is still caught by the overlap.
		{"a late commit", []store.Case{{ID: "c", Version: 1, ReportCount: 1, UpdatedAt: at(1)}}, []string{"created:c"}},
	} {
		t.Run(step.name, func(t *testing.T) {
			for _, c := range step.cases {
				for i, old := range f.cases {
					if old.ID == c.ID {
						f.cases = append(f.cases[:i], f.cases[i+1:]...)
						break
					}
				}
				f.cases = append(f.cases, c)
			}
			evs, err := p.poll(context.Background())
			require.NoError(t, err)
			require.Equal(t, step.events, kinds(evs))
		})
	}
	// More changes than a batch: all are read in one poll.
	for i := range liveBatch + 5 {
		f.cases = append(f.cases, store.Case{ID: "m" + time.Duration(i).String(), Version: 1, ReportCount: 1, UpdatedAt: at(10).Add(time.Duration(i) * time.Millisecond)})
	}
	evs, err = p.poll(context.Background())
	require.NoError(t, err)
	require.Len(t, evs, liveBatch+5)
}

// TestEventsStream: a browser's stream tells of a new case and of its
// transition, both read from the database.
func TestEventsStream(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.srv.URL+"/api/v1/events", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+e.tokens[cases.RoleReviewer])
	resp, err := e.srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "text/event-stream; charset=utf-8", resp.Header.Get("Content-Type"))
	events := make(chan LiveEvent, 16)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				var ev LiveEvent
				if json.Unmarshal([]byte(data), &ev) == nil {
					events <- ev
				}
			}
		}
		close(events)
	}()
	next := func(id string) LiveEvent {
		t.Helper()
		timeout := time.After(30 * time.Second)
		for {
			select {
			case ev, ok := <-events:
				require.True(t, ok, "stream ended")
				if ev.ID == id {
					return ev
				}
			case <-timeout:
				t.Fatalf("no event for case %s", id)
			}
		}
	}
	// Cases keep coming until one is new to the hub (its first look only
	// learns what exists).
	var (
		id string
		ev LiveEvent
	)
	require.Eventually(t, func() bool {
		id = e.addCase(t, "live-"+time.Now().Format(time.RFC3339Nano), func(r *store.Report) { r.CameraID = time.Now().String() })
		select {
		case ev = <-events:
			return ev.ID == id
		case <-time.After(3 * time.Second):
			return false
		}
	}, 60*time.Second, time.Millisecond)
	require.Equal(t, LiveEvent{Kind: "created", ID: id, Status: cases.StatusPendingReview, Version: 1, Reports: 1, UpdatedAt: ev.UpdatedAt}, ev)
	resp2, body := e.postAs(t, cases.RoleReviewer, "/api/v1/cases/"+id+"/transitions", "application/json", `{"to":"filed","version":1}`)
	require.Equal(t, http.StatusOK, resp2.StatusCode, "%s", body)
	ev = next(id)
	require.Equal(t, "changed", ev.Kind)
	require.Equal(t, cases.StatusFiled, ev.Status)
	require.Equal(t, 2, ev.Version)

	// Close ends the stream, so that the HTTP server can stop.
	e.web.Close()
	select {
	case _, ok := <-events:
		for ok {
			_, ok = <-events
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the stream did not end when the handler closed")
	}
}

func TestCaseMapStatsPages(t *testing.T) {
	e := newEnv(t)
	snap := e.put(t, "snapshot.jpg", store.KindSnapshot, "image/jpeg", []byte("snapshot"))
	clip := e.put(t, "clip.mp4", store.KindClip, "video/mp4", []byte("clip"))
	ba := e.put(t, "before_after.jpg", store.KindBeforeAfter, "image/jpeg", []byte("pair"))
	id := e.addCase(t, "p-1", func(r *store.Report) {
		r.Location = &store.GeoPoint{Lat: 31.2305, Lon: 121.4705}
		r.DwellSeconds = 125
		r.Detections = []store.Detection{{Score: 0.8}, {Score: 0.6}}
		r.Model = store.ModelRef{Name: "yolox_nano", Version: "2", SHA256: strings.Repeat("ab", 32)}
	}, snap, clip, ba)

	reviewer := e.signIn(t, "li", cases.RoleReviewer)
	handler := e.signIn(t, "zhao", cases.RoleHandler)
	page := func(b *browser, path string) string {
		resp, err := b.c.Get(b.base + path)
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode, path)
		var sb strings.Builder
		_, _ = bufio.NewReader(resp.Body).WriteTo(&sb)
		return sb.String()
	}
	p := page(reviewer, "/cases/"+id)
	for _, want := range []string{"占道经营", "待审核", `<video controls preload="metadata" src="/evidence/` + clip.SHA256 + `"`,
		`class="wide before-after"`, "2分05秒", "最高 0.80 · 平均 0.70", "yolox_nano 2", "abababababab",
		`class="act act-file"`, `class="act act-reject"`, `data-form="comment"`, "310101001001", "<svg class=\"map\""} {
		require.Contains(t, p, want)
	}
	p = page(handler, "/cases/"+id)
	require.NotContains(t, p, `class="act `, "a handler may not review")
	require.Contains(t, p, "当前身份无可办理的操作")

	p = page(reviewer, "/map")
	require.Contains(t, p, `data-case="`+id+`"`)
	require.Contains(t, p, `class="cell`)
	require.Contains(t, p, "未结案件 1 件")
	p = page(reviewer, "/stats?lang=en")
	require.Contains(t, p, "Street vending")
	require.Contains(t, p, `<section class="chart" id="by-day">`)
	require.Contains(t, p, "1 cases")
	resp, err := reviewer.c.Get(reviewer.base + "/cases/nope")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
}

func TestMapLayout(t *testing.T) {
	cells, err := grid.Load("../grid/testdata/cells.geojson")
	require.NoError(t, err)
	mv := buildMap(mapInput{Cells: cells.Cells(), MaxPx: 600,
		Cases: []store.Case{{ID: "c1", Location: &store.GeoPoint{Lat: 31.2305, Lon: 121.4705}, GridCode: "310101001001"}, {ID: "c2"}}})
	require.Equal(t, 1, mv.Unplaced)
	require.Len(t, mv.Points, 1)
	require.Equal(t, 1, mv.Cells[0].Open)
	require.True(t, strings.HasPrefix(mv.ViewBox, "0 0 "))
}
