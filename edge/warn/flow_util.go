package warn

import (
	"errors"
	"log/slog"
	"time"

	"github.com/xiuhua/xiuhua/edge/audio"
)

func (f *Flow) init() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.inflight == nil {
		f.inflight = map[string]bool{}
		f.clips = map[string][]int16{}
	}
	if f.wake == nil {
		f.wake = make(chan struct{}, 1)
	}
}

// signal wakes Run for a new entry without waiting for the tick.
func (f *Flow) signal() {
	f.init()
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// claim marks an entry as being handled, so a slow warning is not started
// twice by the next tick.
func (f *Flow) claim(id string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.inflight[id] {
		return false
	}
	f.inflight[id] = true
	return true
}

func (f *Flow) release(id string) {
	f.mu.Lock()
	delete(f.inflight, id)
	f.mu.Unlock()
}

// audio reads a warning file once; config validation read it already, so
// an error here means it changed on disk since.
func (f *Flow) audio(path string) ([]int16, error) {
	f.init()
	if path == "" {
		return nil, nil // an HTTP speaker plays its own message
	}
	f.mu.Lock()
	pcm, ok := f.clips[path]
	f.mu.Unlock()
	if ok {
		return pcm, nil
	}
	pcm, err := audio.LoadWarning(path)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	f.clips[path] = pcm
	f.mu.Unlock()
	return pcm, nil
}

// retry leaves the entry stored and due again after RetryAfter.
func (f *Flow) retry(p Pending, step string, err error) {
	f.logger().Error("warn first: "+step+" failed; will retry", "camera", p.Camera, "id", p.ID, "err", err)
	p.LookAt = f.now().Add(f.retryAfter())
	if perr := f.Store.Put(p); perr != nil {
		// The stored entry is the older one, due already: it is retried
		// at the next tick instead.
		f.logger().Error("warn first: cannot store retry time", "id", p.ID, "err", errors.Join(err, perr))
	}
}

func playerName(p Player) string {
	switch p.(type) {
	case *BackChannel:
		return "backchannel"
	case *HTTPSpeaker:
		return "http"
	case nil:
		return "none"
	default:
		return "other"
	}
}

func (f *Flow) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

func (f *Flow) tick() time.Duration {
	if f.Tick > 0 {
		return f.Tick
	}
	return time.Second
}

func (f *Flow) retryAfter() time.Duration {
	if f.RetryAfter > 0 {
		return f.RetryAfter
	}
	return time.Minute
}

func (f *Flow) location() *time.Location {
	if f.Location != nil {
		return f.Location
	}
	return time.Local
}

func (f *Flow) logger() *slog.Logger {
	if f.Logger != nil {
		return f.Logger
	}
	return slog.Default()
}
