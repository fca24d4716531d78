package httpapi

import (
	"encoding/json"
	"net/http"
	"sync/atomic"

	"github.com/google/uuid"
)

// Switch is the server's handler while the service starts: until the API is wired it answers
// /livez with 200 and everything else (/readyz included) with a 503 problem and Retry-After;
// then it hands every request to the API.
type Switch struct {
	api atomic.Pointer[http.Handler]
}

// Ready hands all further requests to h.
func (s *Switch) Ready(h http.Handler) { s.api.Store(&h) }

func (s *Switch) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h := s.api.Load(); h != nil {
		(*h).ServeHTTP(w, r)
		return
	}
	if r.URL.Path == "/livez" {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		json.NewEncoder(w).Encode(Health{Status: "ok"})
		return
	}
	id := uuid.NewString()
	w.Header().Set("Content-Type", problemJSON)
	w.Header().Set("Retry-After", "5")
	w.Header().Set("X-Request-ID", id)
	w.WriteHeader(http.StatusServiceUnavailable)
	json.NewEncoder(w).Encode(Problem{Type: "/problems/unavailable", Title: "Service unavailable", Status: http.StatusServiceUnavailable,
		Detail: "starting: waiting for the database", Instance: r.URL.Path, RequestID: id})
}
