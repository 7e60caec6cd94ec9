package web

import "net/http"

// openAPI serves the API's OpenAPI 3 document, kept beside the handlers in
// assets/openapi.json; a test holds it and the mux's routes to each other.
func (s *server) openAPI(w http.ResponseWriter, r *http.Request) {
	doc, err := assets.ReadFile("assets/openapi.json")
	if err != nil {
		s.log.Error("openapi document", "err", err)
		writeError(w, http.StatusInternalServerError, "internal error")
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(doc)
}
