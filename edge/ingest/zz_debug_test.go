package ingest

import (
	"testing"
	"time"
)

func TestZZDebugTiming(t *testing.T) {
	srv := startCamsim(t, false, "", "")
	cam := NewCamera(Config{ID: "cam1", URL: srv.URL("cam1")}, discardLogger(), nil)
	running(t, cam)
	start := time.Now()
	for range 30 {
		time.Sleep(50 * time.Millisecond)
		t.Logf("%v %+v seq=%d", time.Since(start).Round(time.Millisecond), cam.Status(), cam.seq.Load())
	}
}
