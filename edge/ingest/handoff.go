package ingest

// handoff passes frames from the ingest goroutine to one consumer through a
// one-slot channel. A new frame replaces an untaken one, so a slow consumer
// always gets the newest picture and never slows ingest down; detection
// wants "now", not a backlog.
type handoff struct {
	ch chan Frame
}

func newHandoff() handoff { return handoff{ch: make(chan Frame, 1)} }

// put offers f and reports how many older frames it replaced (closing their
// pictures). Only one goroutine may put.
func (h handoff) put(f Frame) (dropped int) {
	for {
		select {
		case h.ch <- f:
			return dropped
		default:
		}
		// Full: take the old frame back unless the consumer just did.
		select {
		case old := <-h.ch:
			old.Close()
			dropped++
		default:
		}
	}
}

// close drains an untaken frame (closing its Mat) and closes the channel so
// that consumers ranging over it stop. Call it after the last put.
func (h handoff) close() (dropped int) {
	for {
		select {
		case old := <-h.ch:
			old.Close()
			dropped++
		default:
			close(h.ch)
			return dropped
		}
	}
}
