package outbox

import (
	"time"

	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// Quota bounds what the queue keeps on disk during a long outage. When it is
// exceeded, or the disk is full, the outbox sheds, oldest items first: clips,
// then pictures, then whole reports. A report is a few kilobytes and is what
// files a case, so reports go last and the newest are kept longest.
type Quota struct {
	// MaxBytes caps the queue's size on disk; 0 means no cap (the disk is
	// the cap, and a full disk sheds the same way).
	MaxBytes int64
	// MaxClipAge is how long a queued item keeps its clip; 0 means for
	// ever. A clip is most of an item's bytes and matters most while the
	// case is fresh.
	MaxClipAge time.Duration
}

// WithQuota sets the queue's quota; without it only a full disk sheds.
func WithQuota(q Quota) Option { return func(o *Outbox) { o.quota = q } }

// shedStats counts one shedding pass.
type shedStats struct {
	clips, pictures, reports int
	freed                    int64
}

func (s shedStats) any() bool { return s.clips+s.pictures+s.reports > 0 }

// enforce applies the quota after a Put; keep is the item just put, which
// may lose evidence but is never dropped. Called with mu held.
func (o *Outbox) enforce(keep, why string) {
	target := int64(-1)
	if o.quota.MaxBytes > 0 {
		target = o.quota.MaxBytes
	}
	o.shed(target, keep, why, true)
}

// makeRoom sheds until need more bytes would fit, for a write that failed
// on a full disk, and returns how much it freed. Older reports go only when
// dropReports; keep is never dropped.
func (o *Outbox) makeRoom(need int64, keep string, dropReports bool) int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return 0
	}
	return o.shed(max(0, o.bytes-need), keep, "disk full", dropReports).freed
}

// shed drops old clips, then clips, pictures and (when dropReports)
// reports, oldest first, until the queue is at most target bytes (no byte
// target when negative). It never touches the item the sender is sending,
// nor drops keep. It logs one line for the pass. Called with mu held.
func (o *Outbox) shed(target int64, keep, why string, dropReports bool) shedStats {
	var st shedStats
	over := func() bool { return target >= 0 && o.bytes > target }
	if o.quota.MaxClipAge > 0 {
		cutoff := time.Now().Add(-o.quota.MaxClipAge)
		o.shedPass(&st, func() bool { return true }, func(it *Item) bool {
			return it.clip > 0 && it.Created.Before(cutoff)
		}, isClip)
	}
	if over() {
		o.shedPass(&st, over, func(it *Item) bool { return it.clip > 0 }, isClip)
	}
	if over() {
		o.shedPass(&st, over, func(it *Item) bool { return it.pics > 0 }, anyFile)
	}
	for e := o.order.Front(); e != nil && dropReports && over(); {
		next := e.Next()
		it := e.Value.(*Item)
		if it.ID != keep && it.ID != o.busy {
			if n, err := o.dropItem(e, why); err != nil {
				o.logger.Error("outbox could not shed a report", "event_id", it.ID, "err", err)
			} else {
				st.reports++
				st.freed += n
			}
		}
		e = next
	}
	if st.any() {
		o.metrics.shed(st)
		o.logger.Warn("outbox shed evidence to make room", "why", why, "clips", st.clips, "pictures", st.pictures,
			"reports", st.reports, "freed_bytes", st.freed, "bytes", o.bytes, "max_bytes", o.quota.MaxBytes,
			"items", o.order.Len())
	}
	return st
}

// shedPass drops the evidence files that match from the items that have,
// oldest first, while more is true.
func (o *Outbox) shedPass(st *shedStats, more func() bool, has func(*Item) bool, drop func(*xiuhuav1.EvidenceFile) bool) {
	for e := o.order.Front(); e != nil && more(); e = e.Next() {
		it := e.Value.(*Item)
		if it.ID == o.busy || !has(it) {
			continue
		}
		clip := it.clip
		n, err := o.dropEvidence(it, drop)
		if err != nil {
			o.logger.Error("outbox could not shed evidence", "event_id", it.ID, "err", err)
			continue
		}
		st.freed += n
		if clip > it.clip {
			st.clips++
		} else {
			st.pictures++
		}
	}
}

func isClip(f *xiuhuav1.EvidenceFile) bool {
	return f.GetKind() == xiuhuav1.EvidenceKind_EVIDENCE_KIND_CLIP
}

func anyFile(*xiuhuav1.EvidenceFile) bool { return true }
