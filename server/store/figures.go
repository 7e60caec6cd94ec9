package store

import (
	"context"
	"time"
)

// Figures is the part of the store that computes the figures a 数字城管
// centre is judged by (docs/statistics.md defines each one).
type Figures interface {
	// CaseFigures computes q's figures in the database, from the cases
	// and their audit trail: the answer is a few hundred rows however
	// many cases the range holds.
	CaseFigures(ctx context.Context, q FiguresQuery) (CaseFigures, error)
}

// Stages are the statuses whose time is a stage of the workflow, in order:
// 发现→立案 (pending_review), 立案→派遣 (filed), 派遣→处置 (dispatched),
// 处置→反馈 (handling), 反馈→核查 (reported), 核查→结案 (verified).
var Stages = []string{"pending_review", "filed", "dispatched", "handling", "reported", "verified"}

// FiguresQuery selects the cases filed (立案) in [From, To); zero times do
// not bound.
type FiguresQuery struct {
	From, To time.Time
	// DayOffset is the zone's offset east of UTC: it cuts the days of
	// ByDay.
	DayOffset time.Duration
	// Deadlines are how long a case may stay in each status
	// (cases.deadlines); a status without one is never over.
	Deadlines map[string]time.Duration
	// Now is when a stage still running is measured to (over its deadline
	// now or not).
	Now time.Time
}

// CaseFigures are the figures of the cases filed in a range: in all, by the
// day they were filed ("2006-01-02" in the zone), by responsible unit and
// by grid cell ("" for none). Backlog is not bound to the range: the open
// cases over their current stage's deadline now, in all and by unit and
// grid cell.
type CaseFigures struct {
	Total  FigureCounts
	ByDay  map[string]FigureCounts
	ByUnit map[string]FigureCounts
	ByGrid map[string]FigureCounts

	Backlog       int
	BacklogByUnit map[string]int
	BacklogByGrid map[string]int
}

// FigureCounts are one group's counts; rates are computed from them.
type FigureCounts struct {
	Filed        int // 立案数
	Closed       int // 结案数: of Filed, closed now
	ClosedOnTime int // of Closed, every stage within its deadline
	// Overdue (超期数): of Filed, those that were over a stage's deadline
	// at some time, finished stages and the current one alike.
	Overdue int
	// OverdueOpen: of Overdue, those still open and over their current
	// stage's deadline now.
	OverdueOpen int
	// Stages are the times of the finished stages, by Stages' statuses.
	Stages map[string]StageTime
}

// StageTime is how long cases took over one stage: Cases is how many
// finished it at least once, Seconds their time in it (every visit: a case
// sent back to handling adds its second handling).
type StageTime struct {
	Cases   int
	Seconds float64
}

// Mean is the average time per case; 0 for none.
func (s StageTime) Mean() time.Duration {
	if s.Cases == 0 {
		return 0
	}
	return time.Duration(s.Seconds / float64(s.Cases) * float64(time.Second))
}

// Add adds o to c.
func (c *FigureCounts) Add(o FigureCounts) {
	c.Filed += o.Filed
	c.Closed += o.Closed
	c.ClosedOnTime += o.ClosedOnTime
	c.Overdue += o.Overdue
	c.OverdueOpen += o.OverdueOpen
	if c.Stages == nil {
		c.Stages = map[string]StageTime{}
	}
	for k, v := range o.Stages {
		s := c.Stages[k]
		s.Cases += v.Cases
		s.Seconds += v.Seconds
		c.Stages[k] = s
	}
}
