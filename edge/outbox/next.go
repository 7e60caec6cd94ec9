package outbox

// RetryBehind is how many failed sends in a row put an item behind the
// others: one report the server keeps refusing as Unavailable must not
// block all later ones.
const RetryBehind = 3

// Next returns the item to send now: the oldest that is not held, except
// that an item that failed RetryBehind times in a row goes behind every
// item that did not, in the order they fell behind. Until Ack, Reject or
// Failed for it, shedding leaves this item alone.
func (o *Outbox) Next() (Item, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var best *Item
	for e := o.order.Front(); e != nil; e = e.Next() {
		it := e.Value.(*Item)
		if it.held {
			continue
		}
		if best == nil || it.rank < best.rank {
			best = it
			if it.rank == 0 {
				break
			}
		}
	}
	if best == nil {
		o.busy = ""
		return Item{}, false
	}
	o.busy = best.ID
	return *best, true
}

// Failed records a failed attempt to send an item: it counts it and keeps the
// error on the Item. The item stays queued; every RetryBehind failures it
// moves behind the other items.
func (o *Outbox) Failed(id string, err error) {
	o.metrics.failed.Inc()
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.busy == id {
		o.busy = ""
	}
	e, ok := o.byID[id]
	if !ok {
		return
	}
	it := e.Value.(*Item)
	it.Attempts++
	if err != nil {
		it.LastError = err.Error()
	}
	if it.Attempts%RetryBehind == 0 {
		o.seq++
		it.rank = o.seq
		o.metrics.deferred.Inc()
	}
}
