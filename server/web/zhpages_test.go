package web

import (
	"context"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"github.com/xiuhua/xiuhua/internal/testdata"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/store"
)

// englishWord is a run of Latin letters long enough to be a word.
var englishWord = regexp.MustCompile(`[A-Za-z]{3,}`)

// zhAllowed are the Latin words a Chinese page may show: names of
// standards, formats and keys that are written this way in Chinese too.
var zhAllowed = map[string]bool{"WGS": true, "JPEG": true, "PNG": true, "YOLO": true, "COCO": true, "ONNX": true, "SHA": true, "Enter": true,
	"MiB": true, "onnxruntime": true, "YAML": true}

// fieldName is a snake_case configuration or manifest field, a code.
var fieldName = regexp.MustCompile(`\b[a-z]+(_[a-z]+)+\b`)

// englishIn is why s is not Chinese: Latin letters and no Chinese at all
// ("system", "best.jpg"), or a Latin word that is not allowed ("智能核查
// present"). Codes (case numbers, camera ids, user names) are marked
// translate="no" in the templates and not checked.
func englishIn(s string) string {
	s = strings.TrimSpace(s)
	han := strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0
	if !han && strings.IndexFunc(s, func(r rune) bool { return r < 128 && unicode.IsLetter(r) }) >= 0 {
		return "no Chinese"
	}
	for _, w := range englishWord.FindAllString(fieldName.ReplaceAllString(s, ""), -1) {
		if !zhAllowed[w] {
			return "English word " + w
		}
	}
	return ""
}

// englishOnPage lists the user-visible strings of a page (text, alt,
// title, placeholder, aria-label) that are English.
func englishOnPage(t *testing.T, page string) []string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	require.NoError(t, err)
	var bad []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "style", "head":
				return
			}
			for _, a := range n.Attr {
				if a.Key == "translate" && a.Val == "no" {
					return
				}
			}
			for _, a := range n.Attr {
				if a.Key == "alt" || a.Key == "title" || a.Key == "placeholder" || a.Key == "aria-label" {
					if why := englishIn(a.Val); why != "" {
						bad = append(bad, n.Data+"@"+a.Key+"="+a.Val+": "+why)
					}
				}
			}
		}
		if n.Type == html.TextNode {
			if why := englishIn(n.Data); why != "" {
				bad = append(bad, strings.TrimSpace(n.Data)+": "+why)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return bad
}

func TestEnglishIn(t *testing.T) {
	for s, want := range map[string]string{
		"2026-12-06 20:52:05 (北京时间)": "",
		"7分00秒":                      "",
		"0.91 / 0.73":                "",
		"坐标 WGS-84":                  "",
		"system":                     "no Chinese",
		"best.jpg":                   "no Chinese",
		"智能核查 present":               "English word present",
		"MODEL_STATE_ACTIVE":         "no Chinese",
		"清单指定 classes_file 时":        "",
	} {
		require.Equal(t, want, englishIn(s), s)
	}
}

// TestChinesePagesHaveNoEnglish renders every officer page in zh-CN, with
// the words that used to leak (actor "system", the AI re-check's notes,
// evidence file names, model states, server errors), and with forced
// errors, and fails on any English a Chinese officer would see.
func TestChinesePagesHaveNoEnglish(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	e := newEnvWith(t, func(o *Options) { o.Location = shanghai }, nil)
	ctx := context.Background()
	jpeg, err := os.ReadFile(testdata.Path(t, "images", "000000001503.jpg"))
	require.NoError(t, err)
	pic := func(name, kind string) store.Evidence { return e.put(t, name, kind, "image/jpeg", jpeg) }
	id := e.addCase(t, "zh-1", func(r *store.Report) {
		r.Location = &store.GeoPoint{Lat: 31.2305, Lon: 121.4705}
		r.DwellSeconds = 420
		r.Model = store.ModelRef{Name: "yolox_nano", Version: "1", SHA256: "695e750a5d5754bb5a8d5325643b59282191a7e7a564e435a415fd3c578eab14"}
		r.Detections = []store.Detection{{ClassName: "umbrella", Score: 0.91, Width: 10, Height: 10}}
	}, pic("snapshot.jpg", store.KindSnapshot), pic("annotated.jpg", store.KindAnnotated), pic("best.jpg", store.KindAnnotated),
		pic("extra.jpg", store.KindUnspecified), e.put(t, "clip.mp4", store.KindClip, "video/mp4", []byte("clip")),
		pic("before_after.jpg", store.KindBeforeAfter))
	require.NoError(t, e.auth.AddUser(ctx, "zhao", cases.RoleHandler, "correct horse battery"))
	for _, to := range []string{cases.StatusFiled, cases.StatusDispatched, cases.StatusHandling, cases.StatusReported} {
		d, err := e.store.GetCase(ctx, id)
		require.NoError(t, err)
		req := cases.Request{CaseID: id, To: to, Version: d.Version, Actor: "li", Role: cases.RoleAdmin, Comment: "按规定办理"}
		if to == cases.StatusDispatched {
			req.Unit, req.Officer = "南京东路街道城管中队", "zhao"
		}
		_, err = e.cases.Transition(ctx, req)
		require.NoError(t, err)
	}
	shot := pic("", store.KindAttachment)
	require.NoError(t, e.store.Transition(ctx, store.Transition{CaseID: id, Version: 5, From: cases.StatusReported, To: cases.StatusHandling,
		Actor: RecheckActor, Role: "system", Action: "fail_verification", At: time.Now(), Attachment: &shot,
		Comment: "AI re-check: present (1 chair in zone kerb, best 0.81); waiting for a reviewer"}))

	reviewer := []string{"Authorization", "Bearer " + e.tokens[cases.RoleReviewer]}
	for _, tc := range []struct {
		path string
		code int
		hdr  []string
		want string
	}{
		{"/", http.StatusOK, nil, "全部未结"},
		{"/?view=overdue", http.StatusOK, nil, "超期最久的在前"},
		{"/?type=street_vending", http.StatusOK, nil, "案件查询"},
		{"/cases/" + id, http.StatusOK, nil, "智能核查结果：违规仍在；等待审核员核查"},
		{"/map", http.StatusOK, nil, "案件地图"},
		{"/stats", http.StatusOK, nil, "案件统计"},
		{"/cases/no-such-case", http.StatusNotFound, nil, "页面不存在"},
		{"/no/such/page", http.StatusNotFound, nil, "页面不存在"},
		{"/?from=yesterday", http.StatusBadRequest, nil, "请求有误"},
		{"/stats?to=soon", http.StatusBadRequest, nil, "请求有误"},
		{"/models", http.StatusForbidden, reviewer, "无权访问"},
		{"/models", http.StatusServiceUnavailable, nil, "功能未启用"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			resp, body := e.get(t, tc.path, tc.hdr...)
			require.Equal(t, tc.code, resp.StatusCode)
			page := string(body)
			require.Contains(t, page, `<html lang="zh-CN">`, "inside the layout")
			require.Contains(t, page, tc.want)
			require.Empty(t, englishOnPage(t, page))
		})
	}
	// Unknown paths: JSON under /api/, signed in or not; a page elsewhere,
	// with no detour through sign-in.
	resp, body := e.get(t, "/api/v1/no-such", "Authorization", "")
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	require.JSONEq(t, `{"error": "no such API path"}`, string(body))
	resp, body = e.get(t, "/no-such", "Authorization", "")
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	require.Contains(t, string(body), "页面不存在")
	require.NotContains(t, string(body), "<nav>", "no navigation for a visitor")
	resp, body = e.get(t, "/no-such")
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	require.Contains(t, string(body), `<a href="/map">地图</a>`, "a signed-in officer keeps the navigation")

	_, body = e.get(t, "/cases/"+id)
	for _, want := range []string{"北京时间", "7分00秒", ">系统<", "最佳画面", `alt="标注图"`, "设备原始记录"} {
		require.Contains(t, string(body), want)
	}

	// The script's messages and every model state, in Chinese.
	var english []string
	for k, v := range messagesZH {
		if why := englishIn(v); why != "" {
			english = append(english, k+" = "+v+": "+why)
		}
	}
	require.Empty(t, english)
	p := &pageBase{Lang: LangZH}
	for _, name := range xiuhuav1.ModelState_name {
		require.Empty(t, englishIn(p.ModelStateLabel(name)), name)
	}
}
