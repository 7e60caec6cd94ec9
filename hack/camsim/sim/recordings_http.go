package sim

import (
	"encoding/json"
	"net/http"
)

// RecordingsHandler serves GET ?stream=NAME as a JSON list of that
// stream's back-channel recordings (codec, duration, first and last packet
// time, WAV file), so scripts outside Go can check what a camera "heard".
func (s *Server) RecordingsHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			http.Error(w, "GET only", http.StatusMethodNotAllowed)
			return
		}
		name := r.URL.Query().Get("stream")
		if _, err := s.lookup(name); err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		recs := s.Recordings(name)
		if recs == nil {
			recs = []Recording{}
		}
		_ = json.NewEncoder(w).Encode(recs) // a client gone mid-answer is its own problem
	})
}
