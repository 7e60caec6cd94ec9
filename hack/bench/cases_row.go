package main

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/xiuhua/xiuhua/server/cases"
	"github.com/xiuhua/xiuhua/server/store"
)

// seedCase is one seeded case with its reports and its trail, made the
// same way on every pass over the year (the rows of one table at a time).
type seedCase struct {
	id, status, vtype       string
	device, camera, zone    string
	cell                    *cityCell
	unitIndex               int
	lat, lon                float64
	created, updated, since time.Time
	assignee                string
	reports                 []seedReport
	steps                   []store.AuditEntry
}

type seedReport struct {
	observed, received time.Time
	dwell              float64
	evidence           []store.Evidence
}

var eventCodes = cases.DefaultEventCodes()

// makeCase builds case i of the year from its own random stream, so that
// every pass makes the same case.
func (c *city) makeCase(seed uint64, i int, created time.Time, id string) *seedCase {
	rng := rand.New(rand.NewPCG(seed, uint64(i)))
	ci := c.cellPick.pick(rng)
	cell := &c.cells[ci]
	cam := c.cameras[cell.cameras[rng.IntN(len(cell.cameras))]]
	sc := &seedCase{id: id, vtype: seedTypes[typeWeights.pick(rng)], device: cam.device, camera: cam.camera,
		zone: fmt.Sprintf("zone-%d", 1+rng.IntN(3)), cell: cell, unitIndex: ci * len(c.units) / len(c.cells),
		lat: cell.lat0 + rng.Float64()*cell.dLat, lon: cell.lon0 + rng.Float64()*cell.dLon, created: created}
	sc.status = pickStatus(rng, yearEnd.Sub(created))
	sc.makeReports(rng)
	sc.makeSteps(rng)
	sc.updated = sc.since
	if last := sc.reports[len(sc.reports)-1].received; last.After(sc.updated) {
		sc.updated = last
	}
	return sc
}

// makeReports: one report, then a geometric number of repeats minutes
// apart; every report has an annotated frame and a snapshot, the first a
// clip in a third of the cases.
func (sc *seedCase) makeReports(rng *rand.Rand) {
	n := 1
	for n < 20 && rng.Float64() < 0.4 {
		n++
	}
	at := sc.created
	for j := range n {
		r := seedReport{observed: at.Add(-2 * time.Second), received: at, dwell: float64(60 + rng.IntN(1800))}
		r.evidence = []store.Evidence{
			{Name: "annotated.jpg", Kind: store.KindAnnotated, ContentType: "image/jpeg", Size: int64(120_000 + rng.IntN(80_000)), SHA256: hex64(rng)},
			{Name: "snapshot.jpg", Kind: store.KindSnapshot, ContentType: "image/jpeg", Size: int64(180_000 + rng.IntN(120_000)), SHA256: hex64(rng)},
		}
		if j == 0 && rng.IntN(3) == 0 {
			r.evidence = append(r.evidence, store.Evidence{Name: "clip.mp4", Kind: store.KindClip,
				ContentType: "video/mp4", Size: int64(2_000_000 + rng.IntN(2_000_000)), SHA256: hex64(rng)})
		}
		sc.reports = append(sc.reports, r)
		at = minTime(at.Add(time.Duration(5+rng.IntN(55))*time.Minute), yearEnd.Add(-time.Second))
	}
}

// makeSteps walks the workflow to the case's status: who did each step,
// when, with a reason for rejections, the assignment of dispatches and
// the handler's photo of most reports back.
func (sc *seedCase) makeSteps(rng *rand.Rand) {
	at, from := sc.created, cases.StatusPendingReview
	sc.since = at
	unit := fmt.Sprintf("%02d", sc.unitIndex+1)
	for _, to := range pathTo[sc.status] {
		step, _ := cases.FindStep(from, to)
		at = minTime(at.Add(time.Duration(rng.Int64N(int64(stepDelay[to])))), yearEnd.Add(-time.Second))
		e := store.AuditEntry{CaseID: sc.id, At: at, Action: step.Action, From: from, To: to, Role: step.Roles[0]}
		switch to {
		case cases.StatusRejected:
			e.Comment = "行人短暂停留，非占道经营"
		case cases.StatusDispatched:
			sc.assignee = fmt.Sprintf("handler-%s-%d", unit, 1+rng.IntN(5))
			e.Assign = &store.Assignee{Unit: sc.cell.unit, Officer: sc.assignee}
		case cases.StatusReported:
			if rng.IntN(10) < 7 {
				e.Attachment = &store.Evidence{ContentType: "image/jpeg", Size: int64(300_000 + rng.IntN(500_000)), SHA256: hex64(rng)}
			}
		}
		switch step.Roles[0] {
		case cases.RoleHandler:
			e.Actor = sc.assignee
		case cases.RoleDispatcher:
			e.Actor = fmt.Sprintf("dispatcher-%s", unit)
		default:
			e.Actor = fmt.Sprintf("reviewer-%d", 1+rng.IntN(8))
		}
		sc.steps = append(sc.steps, e)
		from, sc.since = to, at
	}
}

func hex64(rng *rand.Rand) string {
	return fmt.Sprintf("%016x%016x%016x%016x", rng.Uint64(), rng.Uint64(), rng.Uint64(), rng.Uint64())
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
