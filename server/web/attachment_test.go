package web

import (
	"bytes"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func pngBytes(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 8, 8))))
	return buf.Bytes()
}

// multipartBody builds a form from name → content pairs, in order.
func multipartBody(t *testing.T, parts ...string) (string, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for i := 0; i+1 < len(parts); i += 2 {
		var (
			w   io.Writer
			err error
		)
		if parts[i] == "attachment" {
			w, err = mw.CreateFormFile("attachment", "photo.png")
		} else {
			w, err = mw.CreateFormField(parts[i])
		}
		require.NoError(t, err)
		_, err = w.Write([]byte(parts[i+1]))
		require.NoError(t, err)
	}
	require.NoError(t, mw.Close())
	return mw.FormDataContentType(), &buf
}

func TestTransitionAttachment(t *testing.T) {
	e := newEnv(t)
	id := e.addCase(t, "e1", nil)
	path := "/api/v1/cases/" + id + "/transitions"
	photo := string(pngBytes(t))
	request := jsonBody(TransitionRequestJSON{To: "filed"})

	big := "\x89PNG\r\n\x1a\n" + strings.Repeat("x", DefaultMaxAttachmentBytes)
	for _, tc := range []struct {
		name  string
		parts []string
		code  int
		want  string
	}{
		{"not a picture", []string{"request", request, "attachment", "<script>alert(1)</script>"}, 400, "attachment: type text/html"},
		{"a PNG header only", []string{"request", request, "attachment", "\x89PNG\r\n\x1a\nnot really"}, 400, "not a readable image/png"},
		{"too big", []string{"request", request, "attachment", big}, 413, "larger than"},
		{"no request", []string{"attachment", photo}, 400, "request: missing"},
		{"two attachments", []string{"request", request, "attachment", photo, "attachment", photo}, 400, "at most one"},
		{"unknown part", []string{"request", request, "x", "y"}, 400, `part "x": unknown`},
		{"unknown field", []string{"request", `{"to":"filed","sudo":true}`}, 400, "unknown field"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ct, body := multipartBody(t, tc.parts...)
			resp, out := e.post(t, path, ct, body.String())
			require.Equal(t, tc.code, resp.StatusCode, "%s", out)
			require.Contains(t, decode[apiError](t, out).Error, tc.want)
		})
	}
	_, out := e.get(t, "/api/v1/cases/"+id)
	require.Len(t, decode[CaseDetailJSON](t, out).Audit, 1, "refusals change nothing")

	ct, body := multipartBody(t, "attachment", photo, "request", request)
	resp, out := e.post(t, path, ct, body.String())
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", out)
	d := decode[CaseDetailJSON](t, out)
	att := d.Audit[1].Attachment
	require.NotNil(t, att)
	require.Equal(t, "image/png", att.ContentType)
	require.Equal(t, int64(len(photo)), att.Size)

	resp, got := e.get(t, att.URL)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, photo, string(got))
	require.Equal(t, "image/png", resp.Header.Get("Content-Type"))
}
