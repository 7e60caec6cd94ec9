package warn

import (
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xiuhua/xiuhua/edge/audio"
	"github.com/xiuhua/xiuhua/edge/config"
	"github.com/xiuhua/xiuhua/hack/camsim/sim"
	"github.com/xiuhua/xiuhua/internal/backoff"
	"github.com/xiuhua/xiuhua/internal/conf"
)

// flowRig is a Flow on a real store and camsim's speaker, with hooks that
// record what the flow handed on.
type flowRig struct {
	flow    *Flow
	srv     *sim.Server
	present bool

	mu        sync.Mutex
	looks     int
	filed     []filedCall
	corrected []Pending
}

type filedCall struct {
	v      Violation
	warned *Pending
	reason string
}

func newFlowRig(t *testing.T, srv *sim.Server, storeDir string, pol config.Policy, present bool) *flowRig {
	t.Helper()
	store, err := OpenPendingStore(storeDir)
	require.NoError(t, err)
	wav := filepath.Join(t.TempDir(), "warn.wav")
	require.NoError(t, os.WriteFile(wav, audio.EncodeWAV(16000, make([]int16, 8000)), 0o600)) // 0.5 s
	pol.Audio = wav
	r := &flowRig{srv: srv, present: present}
	player := &BackChannel{Camera: "cam1", URL: srv.URL("cam1"), Logger: slog.New(slog.DiscardHandler)}
	r.flow = &Flow{
		Policy: func(Violation) config.Policy { return pol },
		Player: func(string) Player { return player },
		Store:  store, Tick: 50 * time.Millisecond, RetryAfter: 100 * time.Millisecond, Metrics: NewMetrics(nil),
		Logger: slog.New(slog.DiscardHandler),
		Hooks: Hooks{
			Look: func(context.Context, Pending) (bool, error) {
				r.mu.Lock()
				defer r.mu.Unlock()
				r.looks++
				return r.present, nil
			},
			File: func(_ context.Context, v Violation, warned *Pending, reason string) error {
				r.mu.Lock()
				defer r.mu.Unlock()
				r.filed = append(r.filed, filedCall{v, warned, reason})
				return nil
			},
			Corrected: func(_ context.Context, p Pending) error {
				r.mu.Lock()
				defer r.mu.Unlock()
				r.corrected = append(r.corrected, p)
				return nil
			},
		},
	}
	return r
}

// run starts the flow until the test ends (or stop is called).
func (r *flowRig) run(t *testing.T) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.flow.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			require.NoError(t, <-done)
		})
	}
	t.Cleanup(stop)
	return stop
}

func (r *flowRig) counts() (looks, filed, corrected int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.looks, len(r.filed), len(r.corrected)
}

func warnFirst(grace time.Duration) config.Policy {
	return config.Policy{Mode: config.EnforceWarnFirst, Grace: conf.Duration(grace), Warnings: 1}
}

func violation() Violation {
	return Violation{ID: "ev-1", Camera: "cam1", Zone: "pavement", Rule: "vending", Type: "street_vending", At: time.Now()}
}

func TestFlowCorrectedAfterWarning(t *testing.T) {
	srv := startCamsim(t, sim.Faults{}, "")
	r := newFlowRig(t, srv, t.TempDir(), warnFirst(300*time.Millisecond), false)
	r.run(t)
	raised := time.Now()
	require.NoError(t, r.flow.Raise(context.Background(), violation()))
	require.Eventually(t, func() bool { _, _, c := r.counts(); return c == 1 }, time.Minute, 20*time.Millisecond)
	require.Eventually(t, func() bool { return len(srv.Recordings("cam1")) == 1 }, time.Minute, 20*time.Millisecond)
	// The issue asks for the warning within 2 s of the violation: printed,
	// not asserted (a loaded machine is slower).
	t.Logf("violation raised → first warning packet at the camera: %v",
		srv.Recordings("cam1")[0].First.Sub(raised).Round(time.Millisecond))

	looks, filed, _ := r.counts()
	require.Equal(t, 1, looks)
	require.Zero(t, filed)
	p := r.corrected[0]
	require.Len(t, p.Warnings, 1)
	require.Empty(t, p.Warnings[0].Error)
	require.Equal(t, "backchannel", p.Warnings[0].Player)
	require.Eventually(t, func() bool { return len(srv.Recordings("cam1")) == 1 }, time.Minute, 20*time.Millisecond)
	require.InDelta(t, 0.5, srv.Recordings("cam1")[0].Duration.Seconds(), 0.021)
	require.Eventually(t, func() bool { return ended(t, r.flow, "corrected") == 1 }, time.Minute, 20*time.Millisecond, "counted after the hook returns")
	require.Eventually(t, func() bool { e, _, _ := r.flow.Store.Load(); return len(e) == 0 }, time.Minute, 20*time.Millisecond)
}

func TestFlowStillThereIsFiledWithTheWarning(t *testing.T) {
	srv := startCamsim(t, sim.Faults{}, "")
	r := newFlowRig(t, srv, t.TempDir(), warnFirst(300*time.Millisecond), true)
	r.run(t)
	require.NoError(t, r.flow.Raise(context.Background(), violation()))
	require.Eventually(t, func() bool { _, f, _ := r.counts(); return f == 1 }, time.Minute, 20*time.Millisecond)

	_, _, corrected := r.counts()
	require.Zero(t, corrected)
	f := r.filed[0]
	require.Equal(t, "ev-1", f.v.ID)
	require.NotNil(t, f.warned)
	require.Len(t, f.warned.Warnings, 1)
	require.Contains(t, f.reason, "已劝导未整改")
	require.Equal(t, OutcomeFile, f.warned.Outcome)
	require.Eventually(t, func() bool { return ended(t, r.flow, "filed_after_warning") == 1 }, time.Minute, 20*time.Millisecond, "counted after the hook returns")
}

func TestFlowWithoutBackChannelFilesAtOnce(t *testing.T) {
	srv := startCamsim(t, sim.Faults{NoSpeaker: true}, "")
	r := newFlowRig(t, srv, t.TempDir(), warnFirst(time.Hour), true)
	r.run(t)
	require.NoError(t, r.flow.Raise(context.Background(), violation()))
	require.Eventually(t, func() bool { _, f, _ := r.counts(); return f == 1 }, time.Minute, 20*time.Millisecond)
	looks, _, _ := r.counts()
	require.Zero(t, looks, "no warning, no second look")
	require.Contains(t, r.filed[0].reason, "warning failed")
	require.Contains(t, r.filed[0].reason, "no G.711 audio back channel")
	require.Eventually(t, func() bool { return ended(t, r.flow, "warning_failed") == 1 }, time.Minute, 20*time.Millisecond, "counted after the hook returns")
}

func TestFlowFilesAtOnceForPolicyFileAndQuietHours(t *testing.T) {
	srv := startCamsim(t, sim.Faults{}, "")
	quiet := warnFirst(time.Hour)
	quiet.QuietHours = []string{"00:00-24:00"}
	for _, tc := range []struct {
		name   string
		pol    config.Policy
		reason string
	}{
		{"file", config.DefaultPolicy(), "policy: file"},
		{"quiet hours", quiet, "quiet hours"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newFlowRig(t, srv, t.TempDir(), tc.pol, true)
			require.NoError(t, r.flow.Raise(context.Background(), violation()))
			_, filed, _ := r.counts()
			require.Equal(t, 1, filed, "filed before Raise returns, without Run")
			require.Nil(t, r.filed[0].warned)
			require.Contains(t, r.filed[0].reason, tc.reason)
		})
	}
	require.Empty(t, srv.Recordings("cam1"))
}

func TestFlowResumesAfterRestart(t *testing.T) {
	srv := startCamsim(t, sim.Faults{}, "")
	dir := t.TempDir()
	first := newFlowRig(t, srv, dir, warnFirst(time.Hour), false)
	stop := first.run(t)
	require.NoError(t, first.flow.Raise(context.Background(), violation()))
	require.Eventually(t, func() bool {
		e, _, _ := first.flow.Store.Load()
		return len(e) == 1 && len(e[0].Warnings) == 1
	}, time.Minute, 20*time.Millisecond)
	stop() // the edge restarts during the grace period

	second := newFlowRig(t, srv, dir, warnFirst(time.Hour), false)
	second.flow.Now = func() time.Time { return time.Now().Add(2 * time.Hour) } // grace is over
	second.run(t)
	require.Eventually(t, func() bool { _, _, c := second.counts(); return c == 1 }, time.Minute, 20*time.Millisecond)
	require.Equal(t, "ev-1", second.corrected[0].ID)
	require.Len(t, second.corrected[0].Warnings, 1, "not warned again after the restart")
	require.Eventually(t, func() bool { return len(srv.Recordings("cam1")) == 1 }, time.Minute, 20*time.Millisecond)
	time.Sleep(100 * time.Millisecond)
	require.Len(t, srv.Recordings("cam1"), 1)
}

func ended(t *testing.T, f *Flow, outcome string) float64 {
	return counter(t, f.Metrics.outcomes.WithLabelValues("cam1", "street_vending", outcome))
}

func TestFlowSpeakerTimeoutFilesAtOnce(t *testing.T) {
	// A street speaker that never answers in time: the violation is filed,
	// not dropped, and the reason says why.
	ss := &speakerServer{statuses: []int{200}, hang: 10 * time.Second}
	hs := httptest.NewServer(ss)
	t.Cleanup(hs.Close)
	r := newFlowRig(t, startCamsim(t, sim.Faults{}, ""), t.TempDir(), warnFirst(time.Hour), true)
	r.flow.Player = func(string) Player {
		return &HTTPSpeaker{URL: hs.URL, Timeout: 100 * time.Millisecond, Attempts: 2,
			Backoff: backoff.Backoff{Min: 10 * time.Millisecond, Max: 10 * time.Millisecond}, Logger: slog.New(slog.DiscardHandler)}
	}
	r.run(t)
	require.NoError(t, r.flow.Raise(context.Background(), violation()))
	require.Eventually(t, func() bool { _, f, _ := r.counts(); return f == 1 }, time.Minute, 20*time.Millisecond)
	require.Equal(t, 2, ss.requests())
	f := r.filed[0]
	require.Contains(t, f.reason, "warning failed")
	require.Contains(t, f.reason, "deadline exceeded")
	require.Equal(t, "http", f.warned.Warnings[0].Player)
}

func TestFlowRetriesAFailedLook(t *testing.T) {
	srv := startCamsim(t, sim.Faults{}, "")
	r := newFlowRig(t, srv, t.TempDir(), warnFirst(100*time.Millisecond), false)
	var failures atomic.Int32
	look := r.flow.Hooks.Look
	r.flow.Hooks.Look = func(ctx context.Context, p Pending) (bool, error) {
		if failures.Add(1) <= 2 {
			return false, errors.New("no frame from the camera")
		}
		return look(ctx, p)
	}
	r.run(t)
	require.NoError(t, r.flow.Raise(context.Background(), violation()))
	require.Eventually(t, func() bool { _, _, c := r.counts(); return c == 1 }, time.Minute, 20*time.Millisecond)
	require.GreaterOrEqual(t, failures.Load(), int32(3))
	_, filed, _ := r.counts()
	require.Zero(t, filed)
	require.Len(t, srv.Recordings("cam1"), 1, "a failed look does not warn again")
}
