package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/server/cases"
)

// TestHandlerActsOnlyOnOwnCases: a case dispatched to one handling officer
// cannot be accepted or reported by another.
func TestHandlerActsOnlyOnOwnCases(t *testing.T) {
	e := newEnv(t)
	id := e.addCase(t, "e1", nil)
	path := "/api/v1/cases/" + id + "/transitions"
	zhao := e.signIn(t, "zhao", cases.RoleHandler)
	sun := e.signIn(t, "sun", cases.RoleHandler)
	resp, body := e.post(t, path, "application/json", jsonBody(TransitionRequestJSON{To: "filed"}))
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
	resp, body = e.post(t, path, "application/json", jsonBody(TransitionRequestJSON{To: "dispatched", Officer: "zhao", Unit: "城管中队"}))
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)

	accept := jsonBody(TransitionRequestJSON{To: "handling"})
	resp = sun.do(t, "POST", path, accept, CSRFHeader, sun.csrf)
	require.Equal(t, http.StatusForbidden, resp.StatusCode, "another handler")
	resp = zhao.do(t, "POST", path, accept, CSRFHeader, zhao.csrf)
	require.Equal(t, http.StatusOK, resp.StatusCode, "the assigned handler")
	resp = sun.do(t, "POST", path, jsonBody(TransitionRequestJSON{To: "reported"}), CSRFHeader, sun.csrf)
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
}

// TestTransitionBodyLimit: the body limit covers the whole multipart body,
// not only the picture: a request part padded with megabytes is refused.
func TestTransitionBodyLimit(t *testing.T) {
	e := newEnv(t)
	id := e.addCase(t, "e1", nil)
	padded := jsonBody(TransitionRequestJSON{To: "filed"}) + strings.Repeat(" ", 2*DefaultMaxAttachmentBytes)
	ct, body := multipartBody(t, "request", padded)
	resp, out := e.post(t, "/api/v1/cases/"+id+"/transitions", ct, body.String())
	require.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode, "%s", out)
}

// TestRefusedStepStoresNoAttachment: a photo sent with a step the role may
// not take, or for a case that does not exist, is not stored.
func TestRefusedStepStoresNoAttachment(t *testing.T) {
	e := newEnv(t)
	id := e.addCase(t, "e1", nil)
	photo := pngBytes(t)
	photo = append(photo, []byte("unique trailer")...) // a blob no other test made
	sum := sha256.Sum256(photo)
	sha := hex.EncodeToString(sum[:])
	request := jsonBody(TransitionRequestJSON{To: "filed"})
	for _, tc := range []struct {
		role, path string
		code       int
	}{
		{cases.RoleHandler, "/api/v1/cases/" + id + "/transitions", http.StatusForbidden},
		{cases.RoleAdmin, "/api/v1/cases/C-none/transitions", http.StatusNotFound},
	} {
		ct, body := multipartBody(t, "request", request, "attachment", string(photo))
		resp, out := e.postAs(t, tc.role, tc.path, ct, body.String())
		require.Equal(t, tc.code, resp.StatusCode, "%s", out)
		_, err := e.blobs.Open(t.Context(), sha)
		require.Error(t, err, "nothing stored for a refused step")
	}
	ct, body := multipartBody(t, "request", request, "attachment", string(photo))
	resp, out := e.post(t, "/api/v1/cases/"+id+"/transitions", ct, body.String())
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", out)
	f, err := e.blobs.Open(t.Context(), sha)
	require.NoError(t, err)
	defer f.Close()
	var got bytes.Buffer
	_, err = got.ReadFrom(f)
	require.NoError(t, err)
	require.Equal(t, photo, got.Bytes())
}

// TestUnitCaseOnlyForUnitHandlers: a case dispatched to a unit without a
// named officer is taken only by a handler of that unit: another unit's
// handler and one in no unit get 403 and see no step on its page.
func TestUnitCaseOnlyForUnitHandlers(t *testing.T) {
	e := newUnitsEnv(t)
	id := e.filedIn(t, "unit", nil)
	path := "/api/v1/cases/" + id + "/transitions"
	resp, body := e.postAs(t, cases.RoleDispatcher, path, "application/json", jsonBody(TransitionRequestJSON{To: "dispatched", Unit: "NJDL"}))
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)

	accept := jsonBody(TransitionRequestJSON{To: "handling"})
	for _, name := range []string{"sun", "zhou"} {
		b := e.signInAs(t, name)
		require.Contains(t, pageOf(t, b, "/cases/"+id), "当前身份无可办理的操作", "%s sees no step", name)
		resp := b.do(t, "POST", path, accept, CSRFHeader, b.csrf)
		require.Equal(t, http.StatusForbidden, resp.StatusCode, "%s is not of the unit", name)
	}
	resp, body = e.postAs(t, cases.RoleHandler, path, "application/json", accept)
	require.Equal(t, http.StatusForbidden, resp.StatusCode, "a handler token has no unit: %s", body)
	require.Contains(t, string(body), `is not one of its handlers`, "the refusal says why")

	zhao := e.signInAs(t, "zhao")
	q := pageOf(t, zhao, "/?view=unit")
	require.Contains(t, q, "<h2>本单位待接收</h2>")
	require.Contains(t, q, `data-case="`+id+`"`, "the unit's handler finds it in the unit's view")
	sun := e.signInAs(t, "sun")
	require.NotContains(t, pageOf(t, sun, "/?view=unit"), `data-case="`+id+`"`, "not in another unit's")
	require.NotContains(t, pageOf(t, e.signInAs(t, "zhou"), "/"), "view-unit", "a handler of no unit has no unit view")
	require.Contains(t, pageOf(t, zhao, "/cases/"+id), `class="act act-accept"`, "the unit's handler sees the step")
	resp = zhao.do(t, "POST", path, accept, CSRFHeader, zhao.csrf)
	require.Equal(t, http.StatusOK, resp.StatusCode, "a handler of the unit")
}
