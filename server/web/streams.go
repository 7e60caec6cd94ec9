package web

import (
	"sync"

	"github.com/xiuhua/xiuhua/server/auth"
)

// MaxStreamsPerUser bounds one officer's (or token's) open live-update
// streams: a few browser tabs, not a loop that opens them without end.
const MaxStreamsPerUser = 8

// streams tracks the open live-update streams by who holds them, so that
// there are at most MaxStreamsPerUser per principal and a sign-out ends
// its session's streams at once.
type streams struct {
	mu     sync.Mutex
	byUser map[string]int
	// bySession: the end function of each stream, by session (its CSRF
	// token, unique per session; bearer tokens have none).
	bySession map[string]map[*int]func()
}

func newStreams() *streams {
	return &streams{byUser: map[string]int{}, bySession: map[string]map[*int]func(){}}
}

// open admits one more stream of p, whose end function is end; it returns
// the function to call when the stream ends, or false over the cap.
func (s *streams) open(p *auth.Principal, end func()) (func(), bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byUser[p.Name] >= MaxStreamsPerUser {
		return nil, false
	}
	s.byUser[p.Name]++
	key := new(int)
	if p.CSRFToken != "" {
		if s.bySession[p.CSRFToken] == nil {
			s.bySession[p.CSRFToken] = map[*int]func(){}
		}
		s.bySession[p.CSRFToken][key] = end
	}
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.byUser[p.Name]--; s.byUser[p.Name] <= 0 {
			delete(s.byUser, p.Name)
		}
		if m := s.bySession[p.CSRFToken]; m != nil {
			delete(m, key)
			if len(m) == 0 {
				delete(s.bySession, p.CSRFToken)
			}
		}
	}, true
}

// endSession ends every stream of the session of p (it signed out).
func (s *streams) endSession(p *auth.Principal) {
	if p == nil || p.CSRFToken == "" {
		return
	}
	s.mu.Lock()
	ends := make([]func(), 0, len(s.bySession[p.CSRFToken]))
	for _, end := range s.bySession[p.CSRFToken] {
		ends = append(ends, end)
	}
	s.mu.Unlock()
	for _, end := range ends {
		end()
	}
}
