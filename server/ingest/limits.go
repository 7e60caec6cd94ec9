package ingest

import (
	"sync"
	"time"

	"google.golang.org/grpc/codes"
)

// deviceLimits bounds what one device may ask of the report endpoint: how
// many report streams it keeps open at once, and how many reports it
// starts a minute (a token bucket holding one minute's worth, so that an
// edge flushing its outbox after an outage goes at full speed for a
// minute, then at the rate). A refusal is ResourceExhausted, which the
// edge retries later; nothing is stored for it.
type deviceLimits struct {
	maxStreams int
	perMinute  float64

	mu      sync.Mutex
	devices map[string]*deviceLimit
}

type deviceLimit struct {
	streams int
	tokens  float64
	at      time.Time // when tokens was last brought up to date
}

// maxLimitEntries bounds the devices remembered; idle ones go first.
const maxLimitEntries = 10000

func newDeviceLimits(maxStreams, perMinute int) *deviceLimits {
	return &deviceLimits{maxStreams: maxStreams, perMinute: float64(perMinute), devices: map[string]*deviceLimit{}}
}

// acquire admits one report stream of deviceID at now, or refuses it; call
// release when the stream ends.
func (l *deviceLimits) acquire(deviceID string, now time.Time) (release func(), err error) {
	if l == nil {
		return func() {}, nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	d := l.devices[deviceID]
	if d == nil {
		if len(l.devices) >= maxLimitEntries {
			l.prune(now)
		}
		d = &deviceLimit{tokens: l.perMinute, at: now}
		l.devices[deviceID] = d
	}
	d.tokens = min(l.perMinute, d.tokens+now.Sub(d.at).Minutes()*l.perMinute)
	d.at = now
	switch {
	case d.streams >= l.maxStreams:
		return nil, refuse(codes.ResourceExhausted, reasonRateLimited,
			"device %q has %d report streams open, at most %d allowed (limits.grpc.max_report_streams_per_device): retry when one ends",
			deviceID, d.streams, l.maxStreams)
	case d.tokens < 1:
		return nil, refuse(codes.ResourceExhausted, reasonRateLimited,
			"device %q sends more than %.0f reports a minute (limits.grpc.reports_per_minute): retry later", deviceID, l.perMinute)
	}
	d.tokens--
	d.streams++
	return func() {
		l.mu.Lock()
		d.streams--
		l.mu.Unlock()
	}, nil
}

// prune forgets devices with no open stream and a full bucket, which
// behave as new ones anyway.
func (l *deviceLimits) prune(now time.Time) {
	for id, d := range l.devices {
		if d.streams == 0 && d.tokens+now.Sub(d.at).Minutes()*l.perMinute >= l.perMinute {
			delete(l.devices, id)
		}
	}
}
